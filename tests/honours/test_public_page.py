"""/heroes/: search, filters, stable page addresses, a constant number of queries, caching."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from council.models import CouncilSettings
from recognition.honours import generate, search, selectors, services
from tests.council.factories import AreaFactory
from tests.honours.conftest import give_consent, make_hero
from tests.nominations.factories import CampaignFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def names_on(client, query="") -> list[str]:
    response = client.get(f"/heroes/{query}")
    assert response.status_code == 200, response.status_code
    return re.findall(r'<h3 class="govuk-heading-s[^"]*">([^<]+)</h3>', response.content.decode())


@pytest.fixture
def roll(campaign, ward):
    other_ward = AreaFactory(name="Harton")
    make_hero(
        campaign,
        name="Maureen Clarke",
        area=ward,
        citation="Shopping for six housebound neighbours.",
    )
    make_hero(
        campaign,
        name="Amir Haddad",
        category="Key worker",
        area=other_ward,
        citation="Ran the vaccination clinic seven days a week.",
    )
    make_hero(
        campaign,
        name="Margaret O'Neill",
        area=other_ward,
        citation="Thirty years of the lunch club at Horsley Hill.",
    )
    make_hero(
        campaign,
        name="Élodie Durand",
        area=ward,
        citation="Taught the café's French conversation group.",
    )
    return {"westoe": ward, "harton": other_ward}


def test_everyone_listed_a_to_z(client, roll):
    assert names_on(client) == [
        "Amir Haddad",
        "Élodie Durand",
        "Margaret O&#x27;Neill",
        "Maureen Clarke",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("maureen", ["Maureen Clarke"]),
        ("MAUR", ["Maureen Clarke"]),  # the start of a word, in any case
        ("maur cla", ["Maureen Clarke"]),  # every word must match
        ("maur haddad", []),
        ("vaccination", ["Amir Haddad"]),  # words from the citation
        ("lunch club", ["Margaret O&#x27;Neill"]),
        ("oneill", ["Margaret O&#x27;Neill"]),  # O'Neill typed without the apostrophe
        ("o'neill", ["Margaret O&#x27;Neill"]),
        ("elodie", ["Élodie Durand"]),  # accents need not be typed
        ("cafe", ["Élodie Durand"]),
        ("zzz", []),
        (
            "%",
            ["Amir Haddad", "Élodie Durand", "Margaret O&#x27;Neill", "Maureen Clarke"],
        ),  # no words: everyone
        ("' OR 1=1 --", []),
        ('"unclosed (bracket* NEAR', []),
    ],
)
def test_search_by_name_and_words(client, roll, query, expected):
    from urllib.parse import urlencode

    assert names_on(client, "?" + urlencode({"q": query})) == expected


def test_filters_by_campaign_category_and_ward(client, roll, campaign):
    key_worker = campaign.categories.get(name="Key worker")
    assert names_on(client, f"?category={key_worker.pk}") == ["Amir Haddad"]
    assert names_on(client, f"?area={roll['westoe'].pk}") == ["Élodie Durand", "Maureen Clarke"]
    assert names_on(client, f"?area={roll['harton'].pk}&q=lunch") == ["Margaret O&#x27;Neill"]
    assert len(names_on(client, f"?campaign={campaign.pk}")) == 4

    later = CampaignFactory(name="Proud to Support 2027")
    CategoryFactory(campaign=later, name="Good neighbour")
    cache.clear()  # the list of campaigns is cached for a minute
    assert names_on(client, f"?campaign={later.pk}") == []


def test_a_filter_that_is_not_on_the_list_is_explained_by_the_field(client, roll):
    response = client.get("/heroes/?area=999999&q=maureen")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Select a ward from the list" in page
    assert "<title>Error:" in page
    # The valid part of the search still works.
    assert "Maureen Clarke" in page


def test_the_search_form_is_a_get_form_with_labels(client, roll):
    page = client.get("/heroes/").content.decode()
    assert '<form method="get" action="/heroes/"' in page
    for label in ("Search by name or words", "Campaign", "Category", "Ward"):
        assert f">{label}</label>" in page


def test_pages_have_stable_addresses_with_the_filters_kept(client, campaign, ward, settings):
    for number in range(45):
        make_hero(campaign, name=f"Hero {number:02d} Robson", area=ward)
    first = client.get(f"/heroes/?area={ward.pk}").content.decode()
    assert "45 names" in first
    assert names_on(client, f"?area={ward.pk}")[0] == "Hero 00 Robson"
    assert f'href="/heroes/?area={ward.pk}&amp;page=2" rel="next"' in first
    assert f'href="/heroes/?area={ward.pk}&amp;page=3" aria-label="Page 3"' in first

    assert names_on(client, f"?area={ward.pk}&page=3") == [
        f"Hero {n} Robson" for n in range(40, 45)
    ]
    third = client.get(f"/heroes/?area={ward.pk}&page=3").content.decode()
    assert f'href="/heroes/?area={ward.pk}&amp;page=2" rel="prev"' in third
    # Page 1's one address has no page number.
    assert f'href="/heroes/?area={ward.pk}" aria-label="Page 1"' in third

    assert client.get(f"/heroes/?area={ward.pk}&page=4").status_code == 404
    assert client.get("/heroes/?page=0").status_code == 404
    assert client.get("/heroes/?page=two").status_code == 404


def test_no_shared_cache_may_keep_the_page(client, roll):
    response = client.get("/heroes/")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache", "max-age=0"} <= cache_control


def test_a_search_page_is_not_indexed_by_search_engines(client, roll):
    assert (
        '<meta name="robots" content="noindex">'
        in client.get("/heroes/?q=maureen").content.decode()
    )
    assert "noindex" not in client.get("/heroes/").content.decode()


def _make_roll(campaign, ward, size):
    CouncilSettings.load()  # made on the site's first request ever, which is not what is counted
    generate.generate_heroes(campaign=campaign, count=size)


@pytest.mark.parametrize("query", ["", "?q=neighbour", "?q=hero&page=1"])
def test_the_same_number_of_queries_for_3_and_30_names(client, campaign, ward, query):
    _make_roll(campaign, ward, 3)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/heroes/{query}").status_code == 200
    _make_roll(campaign, ward, 27)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/heroes/{query}").status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_a_cached_page_reads_only_the_version_of_the_roll(client, campaign, ward):
    _make_roll(campaign, ward, 30)
    with CaptureQueriesContext(connection) as cold:
        client.get("/heroes/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/heroes/")
    ours = [q["sql"] for q in warm.captured_queries if "honours_" in q["sql"]]
    assert len(ours) == 1 and "honours_rollversion" in ours[0]
    assert len(warm) < len(cold)


def test_every_change_invalidates_cached_pages_even_in_another_process(client, campaign):
    entry = make_hero(campaign, name="Callum Tait", citation="Fixed every bike on the estate.")
    version = selectors.roll_version()
    assert "Callum Tait" in names_on(client)

    # Another process's cache (or Redis) holds the page under the old version; this one is
    # emptied, but the version in the database is what decides.
    services.citation_save(
        entry=entry, text="Fixed every bike on the estate, for free.", actor=None, approve=True
    )
    assert selectors.roll_version() > version
    page = client.get("/heroes/").content.decode()
    assert "for free." in page

    version = selectors.roll_version()
    give_consent(entry.nominee, name_display="first_initial")
    assert selectors.roll_version() > version
    assert names_on(client) == ["Callum T."]


def test_a_stale_page_cached_elsewhere_is_never_served(client, campaign):
    make_hero(campaign, name="Doreen Purvis")
    stale = selectors.HeroPage(number=1, count=1, num_pages=1, rows=[])
    version = selectors.roll_version()
    # A page cached by another process before the change, under the version before it:
    key = f"honours:page:v{version - 1}:{selectors.HeroFilters().cache_part()}:1"
    cache.set(key, stale)
    assert names_on(client) == ["Doreen Purvis"]


def test_a_change_that_is_not_public_leaves_the_cache_alone(campaign):
    entry = make_hero(campaign, name="Keith Laidler", citation="", approve_citation=False)
    version = selectors.roll_version()
    services.citation_save(entry=entry, text="Draft words.", actor=None)
    assert selectors.roll_version() == version


def test_story_links_show_where_the_stories_app_gives_one(client, campaign, monkeypatch):
    entry = make_hero(campaign, name="Siobhan Brennan")
    monkeypatch.setattr(
        selectors,
        "story_links",
        lambda ids: {entry.nominee_id: ("The lunch club hero", "/stories/lunch-club-hero/")},
    )
    page = client.get("/heroes/").content.decode()
    assert (
        '<a class="govuk-link" href="/stories/lunch-club-hero/">Read the story: The lunch club hero</a>'
        in page
    )


def test_the_search_index_is_the_databases_own(campaign):
    make_hero(campaign, name="Yusuf Rahman")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %s", [search.PG_INDEX]
            )
            assert "USING gin (search_vector)" in cursor.fetchone()[0]
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT id FROM honours_honourentry "
                "WHERE search_vector @@ to_tsquery('simple'::regconfig, 'yus:*')"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert search.PG_INDEX in plan
        else:
            cursor.execute(
                f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH '\"yus\"*'"
            )
            assert len(cursor.fetchall()) == 1


# Committed for real: PostgreSQL will not drop an index while the test's own
# transaction still holds deferred constraint checks on the table.
@pytest.mark.django_db(transaction=True)
def test_a_lost_search_index_is_made_again(client, campaign):
    make_hero(campaign, name="Olive Armstrong")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX {search.PG_INDEX}")
        else:
            # SQLite keeps its FTS5 table in step with triggers: lose both.
            for name in search.SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(f"DELETE FROM {search.FTS_TABLE}")
    if connection.vendor == "sqlite":
        assert names_on(client, "?q=olive") == []
    search.ensure_search_index()
    cache.clear()
    assert names_on(client, "?q=olive") == ["Olive Armstrong"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [search.PG_INDEX])
            assert cursor.fetchone() == (1,)


def test_a_real_story_is_linked_until_consent_for_it_is_withdrawn(client, campaign):
    from tests.stories.factories import NOT_THE_PRESS, StoryFactory, record_consent

    entry = make_hero(campaign, name="Maureen Clarke")
    nomination = entry.nominee.nominations.get()
    record_consent(entry.nominee, NOT_THE_PRESS)
    StoryFactory(nominations=[nomination], title="Six neighbours, every week")
    assert "Read the story: Six neighbours, every week" in client.get("/heroes/").content.decode()
    # …and again from the cache.
    assert "Read the story: Six neighbours, every week" in client.get("/heroes/").content.decode()

    # Still happy to be on the roll of honour, but no longer in a story: the link goes at once.
    record_consent(
        entry.nominee, {**NOT_THE_PRESS, "channels": ["roll_of_honour"], "name_display": "full"}
    )
    page = client.get("/heroes/").content.decode()
    assert "Maureen Clarke" in page and "Read the story" not in page


def test_the_page_kept_for_signed_out_people_is_never_shown_to_staff(client, campaign, comms):
    make_hero(campaign, name="Imran Mahmood")
    signed_out = client.get("/heroes/").content.decode()
    assert "Citations" not in signed_out and "Sign in" in signed_out
    client.force_login(comms)
    signed_in = client.get("/heroes/").content.decode()
    assert 'href="/staff/heroes/">Citations</a>' in signed_in and "Imran Mahmood" in signed_in
    client.logout()
    assert client.get("/heroes/").content.decode() == signed_out


def test_a_change_to_the_councils_settings_shows_at_once(client, campaign):
    from council.services import council_settings_update

    make_hero(campaign, name="Grace Heron")
    client.get("/heroes/")
    council_settings_update(actor=None, data={"campaign_name": "Proud of Riverside"})
    assert "Proud of Riverside" in client.get("/heroes/").content.decode()
