import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accessibility/", "/privacy/"])
def test_public_pages_show_the_council_and_campaign(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Proud to Support" in html
    assert "Skip to main content" in html
    assert "Accessibility statement" in html and "Privacy notice" in html


def _current_item(html: str) -> list[str]:
    from lxml import html as lxml_html

    page = lxml_html.fromstring(html)
    return [link.text_content().strip() for link in page.xpath("//nav//a[@aria-current='page']")]


def test_the_navigation_marks_the_page_a_visitor_is_on_however_often_it_is_shown(client):
    # The header is kept per page address for visitors who are not signed in
    # (council.templatetags.govuk.public_header): each address keeps its own.
    for _ in range(2):
        assert _current_item(client.get("/").content.decode()) == ["Home"]
        assert _current_item(client.get("/heroes/").content.decode()) == ["Roll of honour"]
        assert _current_item(client.get("/privacy/").content.decode()) == []


def test_a_change_to_the_council_shows_in_the_kept_header_and_footer_at_once(client):
    from council import services

    client.get("/")
    services.council_settings_update(
        actor=None,
        data={
            "name": "Riverside Council",
            "campaign_name": "Riverside Heroes",
            "contact_email": "heroes@riverside.example",
        },
    )
    html = client.get("/").content.decode()
    assert "Riverside Heroes" in html.split("</header>")[0]
    footer = html.split('<footer class="govuk-footer">')[1]
    assert "mailto:heroes@riverside.example" in footer
    assert "Riverside Heroes is run by Riverside Council." in footer


def test_a_signed_in_person_gets_their_own_navigation(client):
    from tests.council.factories import StaffFactory

    client.get("/")  # the visitors' header for this address is kept
    client.force_login(StaffFactory())
    html = client.get("/").content.decode()
    assert "Sign out" in html and "Sign in" not in html.split("</nav>")[0]


def test_each_staff_role_finds_its_own_work_in_the_navigation(client):
    from council.roles import Role
    from tests.council.factories import StaffFactory

    def navigation(roles) -> str:
        client.force_login(StaffFactory(roles=roles, authenticator=True))
        return client.get("/staff/").content.decode().split("</nav>")[0]

    mayors_office = navigation([Role.MAYORS_OFFICE])
    assert 'href="/staff/letters/"' in mayors_office and ">Letters<" in mayors_office
    assert 'href="/staff/nominations/"' not in mayors_office
    comms = navigation([Role.COMMS])
    assert 'href="/staff/nominations/"' in comms and 'href="/staff/letters/"' not in comms


def test_every_action_the_code_records_reads_as_words_in_the_history():
    """Staff read the audit log on the dashboard and each record's history page."""
    import re
    from pathlib import Path

    from council.audit_labels import LABELS

    root = Path(__file__).resolve().parents[2]
    action = re.compile(
        r'"((?:council|nominations|recognition|stories|honours|social|volunteers)\.[a-z_]+\.[a-z_]+)"'
    )
    recorded = set()
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for line in path.read_text().splitlines():
            if "action=" in line:
                recorded.update(action.findall(line))
    assert len(recorded) > 100  # the scan finds the services' actions
    assert sorted(recorded - LABELS.keys()) == []


def test_the_home_page_leads_to_each_thing_it_describes(client):
    page = client.get("/").content.decode()
    main = page.split("<main", 1)[1]
    for href, words in (
        ("/nominate/", "Nominate someone"),
        ("/stories/", "Read the stories"),
        ("/heroes/", "roll of honour"),
        ("/volunteer/", "Sign up to volunteer"),
    ):
        assert f'href="{href}">{words}</a>' in main
