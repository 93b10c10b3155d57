"""The Atom feed of published stories at /stories/feed/, for the local paper.

Each entry carries the whole story as sanitised HTML with its image, the image
again as an enclosure link (with its type and size), and an id made from the
story's public_id, so a reader that has seen a story never sees it twice when
its title or address changes. A story that is withdrawn, taken down or no longer
allowed by consent leaves the feed at once.
"""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import escape

from council.selectors import council_settings
from recognition.stories.selectors import (
    absolute_url,
    image_length,
    stories_for_feed,
    story_body,
    story_figure,
    story_image,
    story_path,
)


class StoriesAtomFeed(Atom1Feed):
    """Atom with each story's full text in <content type="html">, beside the summary."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class StoriesFeed(Feed):
    feed_type = StoriesAtomFeed
    language = "en-gb"

    def __call__(self, request, *args, **kwargs):
        self.council = council_settings()
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return f"{self.council.campaign_name} stories from {self.council.name}"

    def subtitle(self):
        return (
            f"Stories of the people {self.council.name} thanks for making a difference to others."
        )

    def link(self):
        return absolute_url("/stories/")

    def feed_url(self):
        return absolute_url("/stories/feed/")

    def feed_guid(self):
        return absolute_url("/stories/feed/")

    def author_name(self):
        return self.council.name

    def author_email(self):
        return self.council.contact_email

    def items(self):
        return stories_for_feed()

    def item_title(self, story):
        return story.title

    def item_description(self, story):
        # Atom1Feed marks the summary as HTML; the summary is plain text, so it is escaped.
        return escape(story.summary)

    def item_link(self, story):
        return absolute_url(story_path(story))

    def item_guid(self, story):
        # Never the address: an entry keeps its id whatever happens to the title or slug.
        return f"urn:uuid:{story.public_id}"

    def item_guid_is_permalink(self, story):
        return False

    def item_pubdate(self, story):
        return story.published_at

    def item_updateddate(self, story):
        return story.public_updated_at or story.published_at

    def item_categories(self, story):
        return [tag.name for tag in story.tags.all()]

    def item_enclosures(self, story):
        image = story_image(story)
        if image is None:
            return []
        length = image_length(story)
        return [Enclosure(image.absolute_url, str(length or 0), image.mime_type)]

    def item_extra_kwargs(self, story):
        return {"content": str(story_figure(story_image(story)) + story_body(story))}
