"""Source codes: staff make them, /v/<code> counts and remembers them, sign-ups are attributed."""

import io
import re
from xml.etree import ElementTree

import pytest
import segno
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.test import RequestFactory
from PIL import Image

from council.models import AuditLogEntry, SourceCode
from council.roles import Role
from council.sources import SESSION_KEY, source_code_from_session
from nominations.services import nomination_submit
from tests.council.factories import StaffFactory, UserFactory
from tests.volunteers.profile_helpers import assert_well_formed, sign_up, walk
from volunteers.models import Volunteer
from volunteers.services import profile as services

pytestmark = pytest.mark.django_db


def staff(role):
    user = StaffFactory(roles=[role])
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def coordinator(client):
    user = staff(Role.COORDINATOR)
    client.force_login(user)
    return user


def make(code="westoe-may", medium=SourceCode.Medium.LEAFLET, destination="volunteer"):
    return services.source_code_create(
        actor=None,
        label="Leaflet drop, Westoe, May",
        medium=medium,
        destination=destination,
        code=code,
    )


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COMMS])
def test_coordinators_and_comms_staff_make_codes(client, role):
    user = staff(role)
    client.force_login(user)
    response = client.post(
        "/staff/volunteers/sources/new/",
        {"label": "Poster, central library", "medium": "poster", "destination": "nominate"},
        follow=True,
    )
    source = SourceCode.objects.get()
    assert response.redirect_chain[-1][0] == "/staff/volunteers/sources/"
    assert f"Code {source.code} made" in response.content.decode()
    assert len(source.code) == 6 and source.created_by == user
    assert source.destination == SourceCode.Destination.NOMINATE
    assert AuditLogEntry.objects.filter(action="volunteers.source.created").count() == 1


def test_the_mayors_office_cannot(client):
    client.force_login(staff(Role.MAYORS_OFFICE))
    assert client.get("/staff/volunteers/sources/").status_code == 403
    assert client.post("/staff/volunteers/sources/new/", {}).status_code == 403


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({}, "id_label", "Enter what the code is for"),
        ({}, "id_medium_0", "Select where the code will appear"),
        ({}, "id_destination_0", "Select where the code should take people"),
        ({"code": "Has Spaces"}, "id_code", "Codes can only contain lower case letters"),
        ({"code": "Upper"}, "id_code", "Codes can only contain lower case letters"),
        ({"code": "westoe-may"}, "id_code", "That code is already in use. Choose another"),
    ],
)
def test_each_mistake_is_explained_beside_its_field(client, coordinator, data, field_id, message):
    make()
    response = client.post("/staff/volunteers/sources/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert_well_formed(page)
    assert f'<a href="#{field_id}">{message}' in page
    assert SourceCode.objects.count() == 1


def test_a_visit_is_counted_remembered_in_the_session_and_sent_on(client):
    source = make()
    response = client.get("/v/westoe-may")
    assert response["Location"] == "/volunteer/"
    source.refresh_from_db()
    assert source.visits == 1
    assert client.session[SESSION_KEY] == source.pk
    # Only the session cookie: nothing else is set.
    assert set(response.cookies) <= {settings.SESSION_COOKIE_NAME}
    client.get("/v/WESTOE-MAY/")
    source.refresh_from_db()
    assert source.visits == 2


def test_a_code_for_nominations_leads_to_the_nomination_form(client):
    make(code="story-maureen", medium=SourceCode.Medium.STORY, destination="nominate")
    assert client.get("/v/story-maureen")["Location"] == "/nominate/"


def test_an_unknown_code_leads_to_the_volunteering_page_without_an_error(client):
    response = client.get("/v/never-printed")
    assert response["Location"] == "/volunteer/"
    assert SESSION_KEY not in client.session


def test_a_switched_off_code_still_leads_on_but_counts_nothing(client, coordinator):
    source = make(destination="nominate")
    client.post(f"/staff/volunteers/sources/{source.pk}/active/", {"active": "no"})
    source.refresh_from_db()
    assert not source.active
    client.logout()
    assert client.get("/v/westoe-may")["Location"] == "/nominate/"
    source.refresh_from_db()
    assert source.visits == 0
    assert SESSION_KEY not in client.session


def test_a_head_request_is_not_a_visit(client):
    source = make()
    client.head("/v/westoe-may")
    source.refresh_from_db()
    assert source.visits == 0


def test_a_sign_up_after_a_visit_is_attributed_and_the_answer_pre_selected(client):
    source = make()
    client.get("/v/westoe-may")
    user = UserFactory()
    client.force_login(user)  # signing in keeps what the session remembered
    walk(client, stop_before="heard")
    page = client.get("/volunteer/questions/heard/").content.decode()
    assert 'value="leaflet" checked' in page
    sign_up(client)
    volunteer = Volunteer.objects.get(user=user)
    assert volunteer.source == source
    assert AuditLogEntry.objects.get(action="volunteers.volunteer.signed_up").data == {
        "source": "westoe-may"
    }


def test_nominations_read_the_same_session_through_the_council_app(client):
    source = make(destination="nominate")
    client.get("/v/westoe-may")
    request = RequestFactory().get("/nominate/")
    request.session = client.session
    assert source_code_from_session(request) == source


def test_the_list_shows_visits_and_sign_ups_in_a_few_queries(
    client, coordinator, django_assert_max_num_queries
):
    codes = [make(code=f"code-{number}") for number in range(15)]
    SourceCode.objects.filter(pk=codes[0].pk).update(visits=7)
    for _number in range(3):
        user = UserFactory()
        Volunteer.objects.create(
            user=user, source=codes[0], profile_completed_at=codes[0].created_at
        )
    Volunteer.objects.create(user=UserFactory(), source=codes[0])  # started, not finished
    # The page itself is one query however many codes there are; the rest is sign-in and layout.
    with django_assert_max_num_queries(15):
        response = client.get("/staff/volunteers/sources/")
    page = response.content.decode()
    assert_well_formed(page)
    assert "code-0" in page and "code-14" in page
    assert f"{settings.SITE_URL}/v/code-0" in page
    row = page[page.index("<strong>code-0</strong>") :]
    row = row[: row.index("</tr>")]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">7</td>' in row
    assert "3<br>" in row and "4 started" in row


def test_the_qr_code_downloads_as_svg_pointing_at_the_code(client, coordinator):
    source = make()
    response = client.get(f"/staff/volunteers/sources/{source.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert 'filename="qr-westoe-may.svg"' in response["Content-Disposition"]
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # The same symbol segno makes for the code's address, so a phone reads that address.
    expected = io.BytesIO()
    url = f"{settings.SITE_URL}/v/westoe-may"
    segno.make(url, error="q", micro=False).save(
        expected, kind="svg", scale=10, border=4, title=f"QR code for {url}"
    )
    assert response.content == expected.getvalue()


def test_the_qr_code_downloads_as_png_for_print(client, coordinator):
    source = make()
    response = client.get(f"/staff/volunteers/sources/{source.pk}/qr.png")
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    qr = segno.make(f"{settings.SITE_URL}/v/westoe-may", error="q", micro=False)
    width, height = qr.symbol_size(scale=20, border=4)
    assert image.size == (width, height)
    # Dark where the symbol is dark: check the module in the top-left finder pattern.
    pixel = image.convert("L").getpixel((4 * 20 + 10, 4 * 20 + 10))
    assert pixel < 128


def test_an_unknown_code_has_no_qr_code(client, coordinator):
    assert client.get("/staff/volunteers/sources/999/qr.png").status_code == 404


def test_the_list_counts_the_nominations_that_followed_a_code(client, coordinator):
    from tests.nominations.factories import CampaignFactory, CategoryFactory

    source = make(destination="nominate")
    campaign = CampaignFactory()
    category = CategoryFactory(campaign=campaign)
    for number in range(2):
        nomination_submit(
            campaign=campaign,
            answers={
                "nominee_kind": "person",
                "category": category,
                "nominee_name": f"Maureen Clarke {number}",
                "contact_methods": ["email"],
                "nominee_email": f"maureen{number}@example.net",
                "reason": "She does the shopping for six housebound neighbours every week.",
                "nominator_name": "Jo Resident",
                "nominator_email": "jo@example.net",
                "nominator_relationship": "Neighbour",
            },
            source_code=source,
        )
    page = client.get("/staff/volunteers/sources/").content.decode()
    row = page[page.index("westoe-may") :].split("</tr>", 1)[0]
    assert re.search(r"numeric\">\s*2\s*<", row), row
