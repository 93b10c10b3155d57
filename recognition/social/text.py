"""How long a post is, counted the way each channel counts it.

- Bluesky: at most 300 graphemes (what a reader sees as one character: an emoji
  with a skin tone is one) and at most 3,000 bytes of UTF-8. Links, mentions and
  hashtags are "facets": ranges given in UTF-8 byte offsets.
- Mastodon: the instance's own limit (500 unless it says otherwise), counted in
  graphemes, with every link counting as 23 characters whatever its length and a
  mention of @someone@their.server counting only as @someone.
- Facebook: 63,206 characters.

static/js/social-counter.js counts the same way in the browser, so the live counter
and the server agree; the server's count is what decides.
"""

from dataclasses import dataclass

import regex

URL = regex.compile(r"https?://[^\s<>\"]+")
# A link does not end with the punctuation that follows it in a sentence.
TRAILING = ".,;:!?)]}'\u2019\u201d"
REMOTE_MENTION = regex.compile(r"(?<![\w/@])(@\w+)@[\w.-]+\w")


@dataclass(frozen=True)
class Limits:
    """What a channel accepts."""

    name: str
    characters: int
    # Counted in graphemes (Bluesky, Mastodon) or in code points (Facebook).
    graphemes: bool = True
    bytes: int | None = None
    # Each link counts as this many characters (Mastodon).
    url_length: int | None = None
    # A mention of @someone@their.server counts as @someone (Mastodon).
    short_mentions: bool = False
    alt_text: int | None = None
    image_bytes: int | None = None


KIND_LIMITS = {
    "mastodon": Limits(
        "Mastodon", 500, url_length=23, short_mentions=True, alt_text=1500, image_bytes=16_000_000
    ),
    "bluesky": Limits("Bluesky", 300, bytes=3000, alt_text=2000, image_bytes=1_000_000),
    # Facebook publishes no limit for a photo's description; ours keeps it readable.
    "facebook": Limits("Facebook", 63_206, graphemes=False, alt_text=1500),
    "console": Limits("Console", 500, alt_text=1500),
    "memory": Limits("In-memory", 300, alt_text=1500),
}


def limits_for(channel) -> Limits:
    """The channel's limits: its kind's, with what the channel itself reported."""
    base = KIND_LIMITS[channel.kind]
    return Limits(
        name=base.name,
        characters=channel.max_characters or base.characters,
        graphemes=base.graphemes,
        bytes=base.bytes,
        url_length=channel.url_length or base.url_length,
        short_mentions=base.short_mentions,
        alt_text=channel.alt_text_limit or base.alt_text,
        image_bytes=base.image_bytes,
    )


def links(text: str) -> list[tuple[int, int, str]]:
    """Each link in the text: (start, end, url) in code-point offsets."""
    found = []
    for match in URL.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        found.append((match.start(), match.start() + len(url), url))
    return found


def grapheme_count(text: str) -> int:
    return len(regex.findall(r"\X", text))


def _counted(text: str, limits: Limits) -> str:
    """The text as the channel counts it: links at their reserved length, short mentions."""
    if limits.url_length:
        pieces, last = [], 0
        for start, end, _url in links(text):
            pieces += [text[last:start], "x" * limits.url_length]
            last = end
        text = "".join(pieces) + text[last:]
    if limits.short_mentions:
        text = REMOTE_MENTION.sub(r"\1", text)
    return text


@dataclass(frozen=True)
class Measure:
    used: int
    limit: int
    bytes_used: int
    bytes_limit: int | None

    @property
    def remaining(self) -> int:
        return self.limit - self.used

    @property
    def fits(self) -> bool:
        return self.used <= self.limit and (
            self.bytes_limit is None or self.bytes_used <= self.bytes_limit
        )


def measure(text: str, limits: Limits) -> Measure:
    counted = _counted(text, limits)
    used = grapheme_count(counted) if limits.graphemes else len(counted)
    return Measure(
        used=used,
        limit=limits.characters,
        bytes_used=len(text.encode("utf-8")),
        bytes_limit=limits.bytes,
    )


def counter_message(text: str, limits: Limits) -> str:
    """What the counter under the box says (static/js/social-counter.js says the same)."""
    count = measure(text, limits)

    def plural(number: int, word: str) -> str:
        return f"{number:,} {word}{'s' if number != 1 else ''}"

    if count.remaining >= 0:
        words = f"You have {plural(count.remaining, 'character')} remaining"
    else:
        words = f"You have {plural(-count.remaining, 'character')} too many"
    if count.bytes_limit is not None and count.bytes_used > count.bytes_limit:
        words += f", and {plural(count.bytes_used - count.bytes_limit, 'byte')} too many"
    return words


def text_problems(text: str, limits: Limits) -> list[str]:
    """Why the channel would refuse these words; empty when it would take them."""
    if not text.strip():
        return ["Enter the words of the post"]
    count = measure(text, limits)
    problems = []
    if count.used > count.limit:
        problems.append(
            f"{limits.name} posts must be {count.limit:,} characters or fewer: "
            f"this one has {count.used:,}"
        )
    if count.bytes_limit is not None and count.bytes_used > count.bytes_limit:
        problems.append(
            f"{limits.name} posts must be {count.bytes_limit:,} bytes or fewer: this one has "
            f"{count.bytes_used:,}. Emoji and accented letters take up to 4 bytes each"
        )
    return problems


def alt_text_problems(alt: str, limits: Limits) -> list[str]:
    if not alt.strip():
        return ["Describe the picture for people who cannot see it (alt text)"]
    if limits.alt_text and len(alt) > limits.alt_text:
        return [
            f"The description of the picture must be {limits.alt_text:,} characters or fewer "
            f"on {limits.name}: it has {len(alt):,}"
        ]
    return []


def bluesky_facets(text: str) -> list[dict]:
    """Links, hashtags and mentions as Bluesky facets, with UTF-8 byte offsets.

    Found the way Bluesky's own apps find them (atproto's facet detection). A
    mention's account is looked up when the post is sent; here it carries the handle.
    """
    from atproto_client.utils import facet_detection

    facets = []
    for facet in facet_detection.detect_facets(text):
        feature = facet.features[0]
        kind = "link" if hasattr(feature, "uri") else "tag"
        facets.append(
            {
                "kind": kind,
                "value": feature.uri if kind == "link" else feature.tag,
                "byte_start": facet.index.byte_start,
                "byte_end": facet.index.byte_end,
            }
        )
    for mention in facet_detection.detect_mentions(text):
        facets.append(
            {
                "kind": "mention",
                "value": mention.handle,
                "byte_start": mention.byte_start,
                "byte_end": mention.byte_end,
            }
        )
    return sorted(facets, key=lambda facet: facet["byte_start"])


def _shorten(words: str, keep: int) -> str:
    """The words cut at a word boundary to about `keep` characters, with an ellipsis."""
    if keep <= 1:
        return ""
    cut = words[: keep - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f"{cut}\u2026" if cut else ""


def draft_text(*, title: str, summary: str, link: str, hashtag: str, limits: Limits) -> str:
    """A first draft: the title, the summary (shortened to fit), the link and the hashtag."""
    tail = f"{link} {hashtag}".strip()

    def compose(summary_part: str) -> str:
        return "\n\n".join(part for part in (title, summary_part, tail) if part)

    text = compose(summary)
    if measure(text, limits).fits:
        return text
    keep = len(summary)
    while keep > 0:
        keep -= max(1, keep // 10)
        text = compose(_shorten(summary, keep))
        if measure(text, limits).fits:
            return text
    return compose("")
