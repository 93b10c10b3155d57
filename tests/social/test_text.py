"""Each channel's limit, counted the channel's way."""

from recognition.social.text import (
    KIND_LIMITS,
    Limits,
    alt_text_problems,
    bluesky_facets,
    counter_message,
    draft_text,
    measure,
    text_problems,
)

BLUESKY = KIND_LIMITS["bluesky"]
MASTODON = KIND_LIMITS["mastodon"]
FACEBOOK = KIND_LIMITS["facebook"]
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one grapheme, 7 code points, 25 bytes


def test_bluesky_counts_graphemes_not_code_points():
    text = FAMILY * 300
    assert len(text) == 2100
    assert measure(text, BLUESKY).used == 300
    # 300 graphemes fit, but 7,500 bytes do not.
    assert text_problems(text, BLUESKY) == [
        "Bluesky posts must be 3,000 bytes or fewer: this one has 7,500. "
        "Emoji and accented letters take up to 4 bytes each"
    ]
    assert text_problems("é" * 300, BLUESKY) == []
    assert text_problems("é" * 301, BLUESKY) == [
        "Bluesky posts must be 300 characters or fewer: this one has 301"
    ]


def test_a_skin_tone_and_a_flag_are_one_character_each():
    assert measure("\U0001f44d\U0001f3fd\U0001f1ec\U0001f1e7", BLUESKY).used == 2


def test_mastodon_counts_every_link_as_23_and_remote_mentions_by_name():
    long_link = "https://proud.example.org/stories/" + "a" * 200 + "/"
    text = f"Read it: {long_link} thanks @council@mastodon.social"
    assert measure(text, MASTODON).used == len("Read it: ") + 23 + len(" thanks @council")
    assert text_problems("x" * 500, MASTODON) == []
    assert text_problems("x" * 501, MASTODON) == [
        "Mastodon posts must be 500 characters or fewer: this one has 501"
    ]


def test_an_instance_with_its_own_limit_is_counted_against_it():
    instance = Limits("Mastodon", 1000, url_length=23, short_mentions=True)
    assert text_problems("x" * 999, instance) == []


def test_facebook_allows_a_long_post():
    assert text_problems("x" * 63_206, FACEBOOK) == []
    assert text_problems("x" * 63_207, FACEBOOK)


def test_the_counter_says_what_is_left_or_how_much_too_much():
    assert counter_message("x" * 298, BLUESKY) == "You have 2 characters remaining"
    assert counter_message("x" * 299, BLUESKY) == "You have 1 character remaining"
    assert counter_message("x" * 302, BLUESKY) == "You have 2 characters too many"
    assert counter_message(FAMILY * 130, BLUESKY) == (
        "You have 170 characters remaining, and 250 bytes too many"
    )


def test_alt_text_is_required_and_within_each_channels_limit():
    assert alt_text_problems("  ", MASTODON) == [
        "Describe the picture for people who cannot see it (alt text)"
    ]
    assert alt_text_problems("a" * 1500, MASTODON) == []
    assert alt_text_problems("a" * 1501, MASTODON) == [
        "The description of the picture must be 1,500 characters or fewer on Mastodon: it has 1,501"
    ]
    assert alt_text_problems("a" * 2000, BLUESKY) == []
    assert alt_text_problems("a" * 2001, BLUESKY)


def test_bluesky_facets_use_utf8_byte_offsets():
    text = "Café hero 🎉 https://proud.example.org/stories/maureen/ #ProudtoSupport @council.bsky.social"
    facets = bluesky_facets(text)
    encoded = text.encode()
    assert [facet["kind"] for facet in facets] == ["link", "tag", "mention"]
    link, tag, mention = facets
    assert link["value"] == "https://proud.example.org/stories/maureen/"
    assert encoded[link["byte_start"] : link["byte_end"]].decode() == link["value"]
    # "Café " is 6 bytes and the emoji 4, so the byte offset is past the character offset.
    assert link["byte_start"] == text.index("https") + 1 + 3
    assert encoded[tag["byte_start"] : tag["byte_end"]].decode() == "#ProudtoSupport"
    assert encoded[mention["byte_start"] : mention["byte_end"]].decode() == "@council.bsky.social"


def test_a_draft_keeps_the_link_and_hashtag_and_shortens_the_summary_to_fit():
    summary = "Maureen shops for six housebound neighbours every week. " * 10
    link = "https://proud.example.org/stories/maureens-shopping-round/"
    text = draft_text(
        title="Maureen's shopping round",
        summary=summary,
        link=link,
        hashtag="#ProudtoSupport",
        limits=BLUESKY,
    )
    assert measure(text, BLUESKY).fits
    assert text.startswith("Maureen's shopping round\n\n")
    assert text.endswith(f"\u2026\n\n{link} #ProudtoSupport")
    roomy = draft_text(
        title="T", summary=summary, link=link, hashtag="#ProudtoSupport", limits=FACEBOOK
    )
    assert summary in roomy
