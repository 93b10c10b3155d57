"""A story's public text: typed as paragraphs with a little Markdown, kept as sanitised HTML.

Comms staff type into a plain text box (it works without JavaScript and by
keyboard): blank lines between paragraphs, "## " for a heading, "- " for a list,
**bold**, [words](https://link). Whatever they type — or paste — only the tags
below survive, and links keep only https and mailto addresses.
"""

import markdown
import nh3

ALLOWED_TAGS = {"p", "h2", "h3", "ul", "ol", "li", "a", "strong", "em", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"https", "mailto"}


def sanitise(html: str) -> str:
    """Only the allowed tags and attributes; no scripts, styles, event handlers or frames."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        # Whatever was inside a removed script or style goes with it.
        clean_content_tags={"script", "style"},
    )


def render(source: str) -> str:
    """The sanitised HTML for what staff typed."""
    html = markdown.markdown(source or "", extensions=["sane_lists"], output_format="html")
    # Markdown's "# " heading would compete with the page's own title.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitise(html)
