"""Whatever comms staff type or paste into a story, no script, event handler, javascript:
link, style or frame survives into the HTML the public gets (recognition/stories/html.py)."""

import html as html_module
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recognition.stories import html

DANGEROUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<body onload="alert(1)">',
    '<div onclick="alert(1)" onmouseover="alert(1)">hover</div>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<!--<script>alert(1)</script>-->",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://example.org/" onfocus="alert(1)" autofocus>ok</a>',
]
PLAIN = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
MARKDOWN = st.sampled_from(["\n\n", "## ", "- ", "**", "> ", "[a](", ")", "<", ">", '"', "'", "="])
SOURCE = st.lists(st.one_of(st.sampled_from(DANGEROUS), PLAIN, MARKDOWN), max_size=12).map("".join)

SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "meta",
    "base",
    "link",
    "img",
    "body",
    "noscript",
    "frame",
    "frameset",
    "button",
    "input",
    "textarea",
}


class Inspector(HTMLParser):
    """Every element and attribute in a piece of HTML, as a browser would read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


def assert_safe(output: str) -> None:
    inspector = Inspector()
    inspector.feed(output)
    inspector.close()
    assert not FORBIDDEN_TAGS & set(inspector.tags), output
    assert set(inspector.tags) <= html.ALLOWED_TAGS, output
    for tag, name, value in inspector.attributes:
        assert not name.startswith("on"), output
        assert name != "style", output
        # nh3 keeps lang and title (plain text, escaped) on any element; nothing else.
        assert (tag, name) in {("a", "href"), ("a", "rel")} or name in {"lang", "title"}, output
        if name == "href":
            # Read as a browser's URL parser reads it (WHATWG URL): entities decoded, tabs
            # and line breaks removed anywhere, control characters and spaces trimmed.
            target = html_module.unescape(value)
            target = "".join(ch for ch in target if ch not in "\t\n\r").strip(
                "".join(map(chr, range(33)))
            )
            scheme = SCHEME.match(target.lower())
            # No scheme at all is a link within the site, which cannot run anything.
            assert scheme is None or scheme.group(1) in ("https", "mailto"), output


def test_each_known_attack_is_removed():
    for attack in DANGEROUS:
        assert_safe(html.render(attack))
        assert_safe(html.sanitise(attack))


def test_what_staff_should_write_survives():
    source = (
        "## Why\n\nShe **shops** every week. [Volunteer](https://example.org/v/)\n\n- One\n- Two"
    )
    out = html.render(source)
    assert "<h2>Why</h2>" in out and "<strong>shops</strong>" in out and "<li>One</li>" in out
    assert '<a href="https://example.org/v/" rel="noopener noreferrer">Volunteer</a>' in out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCE)
def test_nothing_dangerous_survives_rendering(source):
    assert_safe(html.render(source))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCE)
def test_nothing_dangerous_survives_sanitising_pasted_html(source):
    assert_safe(html.sanitise(source))


@settings(max_examples=100, deadline=None)
@given(SOURCE)
def test_sanitising_is_stable(source):
    once = html.sanitise(source)
    assert html.sanitise(once) == once
