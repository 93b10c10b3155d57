"""Nominations taken by phone or on paper, and spreadsheets from partner organisations."""

import csv
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from council.models import OutboundEmail
from council.roles import Role
from nominations import services
from nominations.models import Nomination, NominationImport
from tests.council.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comms(client):
    user = StaffFactory(roles=[Role.COMMS], authenticator=True)
    client.force_login(user)
    return user


ENTRY = {
    "nominee_kind": "person",
    "nominee_name": "Amir Haddad",
    "nominee_phone": "0191 427 1717",
    "address_line_1": "3 Ocean Road",
    "town": "South Shields",
    "postcode": "ne33 2hz",
    "reason": "Ran the vaccination clinic seven days a week.",
    "nominator_name": "Caller on the phone",
    "nominator_email": "caller@example.net",
    "nominator_relationship": "Patient",
}


def test_staff_enter_a_phone_nomination_straight_into_the_queue(client, comms, campaign):
    data = {**ENTRY, "category": campaign.categories.first().pk}
    response = client.post("/staff/nominations/new/", data)
    nomination = Nomination.objects.get()
    assert response["Location"] == f"/staff/nominations/{nomination.reference}/"
    assert nomination.status == Nomination.Status.SUBMITTED
    assert nomination.source == Nomination.Source.STAFF
    assert nomination.entered_by == comms
    assert nomination.postcode == "NE33 2HZ"
    assert not OutboundEmail.objects.exists()  # no confirmation email


def test_a_nominator_on_the_phone_need_not_have_an_email_address(client, comms, campaign):
    data = {**ENTRY, "category": campaign.categories.first().pk, "nominator_email": ""}
    response = client.post("/staff/nominations/new/", data)
    nomination = Nomination.objects.get()
    assert response["Location"] == f"/staff/nominations/{nomination.reference}/"
    assert nomination.nominator_email == ""
    page = client.get(response["Location"]).content.decode()
    assert "Caller on the phone (Patient)" in page and "No email address" in page


def test_staff_entry_needs_a_way_to_reach_the_nominee(client, comms, campaign):
    data = {
        **ENTRY,
        "category": campaign.categories.first().pk,
        "address_line_1": "",
        "town": "",
        "postcode": "",
    }
    page = client.post("/staff/nominations/new/", data).content.decode()
    assert "Enter at least one way to reach them" in page
    assert not Nomination.objects.exists()


def csv_text(rows, columns=None):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or services.IMPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def good_row(n=0):
    return {
        "nominee_type": "person",
        "category": "good neighbour",
        "nominee_name": f"Person {n}",
        "nominee_email": f"p{n}@example.net",
        "ward": "E05001234",
        "reason": "Helped everyone on the street.",
        "nominator_name": "Westoe Surgery",
        "nominator_email": "surgery@example.net",
        "nominator_relationship": "Their GP practice",
    }


def run(campaign, text):
    job = services.nomination_import_create(
        campaign=campaign, filename="surgery.csv", content=text, actor=None
    )
    return services.nomination_import_run(import_id=job.pk)


def test_a_good_file_imports_every_row_into_the_queue(campaign, ward):
    job = run(campaign, csv_text([good_row(n) for n in range(30)]))
    assert job.status == NominationImport.Status.SENT
    assert job.rows_checked == job.total_rows == 30
    assert (
        Nomination.objects.filter(
            status=Nomination.Status.SUBMITTED, source=Nomination.Source.UPLOAD, area=ward
        ).count()
        == 30
    )


def test_one_bad_row_imports_nothing_and_every_problem_is_listed_by_row(campaign, ward):
    rows = [
        good_row(1),
        {**good_row(2), "category": "Best dog"},
        {**good_row(3), "nominee_email": "", "nominator_email": "not-an-email"},
        good_row(4),
    ]
    job = run(campaign, csv_text(rows))
    assert job.status == NominationImport.Status.FAILED
    assert not Nomination.objects.exists()
    assert job.row_errors["3"] == [
        "The category 'Best dog' is not one of: Good neighbour, Key worker"
    ]
    assert (
        "Enter at least one way to reach them: an email address, a postal address or an employer"
        in job.row_errors["4"]
    )
    assert (
        "Enter the nominator's email address in the correct format, like name@example.com"
        in job.row_errors["4"]
    )
    assert set(job.row_errors) == {"3", "4"}


def test_a_file_without_the_template_columns_is_explained(campaign):
    job = run(campaign, "name,email\nA,b@example.net\n")
    assert job.status == NominationImport.Status.FAILED
    assert job.row_errors["1"][0].startswith(
        "The first row must name the columns of the template; missing: nominee_type"
    )


def test_the_upload_page_shows_progress_then_the_result(client, comms, campaign, ward):
    upload = SimpleUploadedFile(
        "surgery.csv",
        csv_text([good_row(1), {**good_row(2), "ward": "Atlantis"}]).encode(),
        content_type="text/csv",
    )
    response = client.post("/staff/nominations/upload/", {"campaign": campaign.pk, "file": upload})
    job = NominationImport.objects.get()
    status_url = f"/staff/nominations/upload/{job.pk}/"
    assert response["Location"] == status_url
    waiting = client.get(status_url).content.decode()
    assert "Waiting to start" in waiting and "Check progress" in waiting
    assert client.get(f"{status_url}progress/").json() == {
        "working": True,
        "checked": 0,
        "total": 0,
        "text": "Waiting to start.",
    }
    services.nomination_import_run(import_id=job.pk)
    assert client.get(f"{status_url}progress/").json()["text"] == "Finished."
    page = html.unescape(client.get(status_url).content.decode())
    assert (
        "Nothing was imported" in page
        and "The ward 'Atlantis' is not a ward name or code we know" in page
    )
    assert "Check progress" not in page


def test_a_file_that_is_not_text_is_refused_at_upload(client, comms, campaign):
    upload = SimpleUploadedFile("photo.csv", b"\xff\xd8\xff\xe0 binary", content_type="text/csv")
    page = client.post(
        "/staff/nominations/upload/", {"campaign": campaign.pk, "file": upload}
    ).content.decode()
    assert "The file must be saved as &#x27;CSV UTF-8&#x27; from your spreadsheet" in page
    assert not NominationImport.objects.exists()


def test_the_template_downloads_with_every_column(client, comms, campaign):
    response = client.get("/staff/nominations/upload/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header == services.IMPORT_COLUMNS
