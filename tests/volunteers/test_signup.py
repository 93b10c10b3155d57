"""Signing up to volunteer: an account, then the profile questions one page at a time."""

import re
from datetime import date

import pytest
from django.urls import reverse

from council.models import AuditLogEntry, OutboundEmail
from tests.council.factories import PASSWORD, UserFactory
from tests.volunteers.factories import centroid
from tests.volunteers.profile_helpers import date_fields, sign_up, walk
from volunteers import forms
from volunteers.journey import STEPS
from volunteers.models import Volunteer, availability_mask
from volunteers.services.profile import STEP_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client):
    user = UserFactory(email="jo@example.org")
    client.force_login(user)
    return user


def test_the_start_page_explains_volunteering_and_asks_no_criminal_record_questions(client):
    page = client.get("/volunteer/").content.decode()
    assert "Volunteer in your community" in page
    assert (
        "The organisation that runs the role will talk to you about it and do any check itself"
        in page
    )
    assert "We do not ask you about criminal records here" in page
    # Creating an account leads back into the profile once the email is verified.
    assert 'href="/accounts/signup/?next=%2Fvolunteer%2Fprofile%2F"' in page
    assert 'href="/accounts/login/?next=%2Fvolunteer%2Fprofile%2F"' in page


def test_a_new_account_verifies_its_email_and_lands_in_the_profile_questions(client):
    client.post(
        "/accounts/signup/?next=/volunteer/profile/",
        {
            "email": "new.volunteer@example.org",
            "password1": "a-very-long-password-77",
            "password2": "a-very-long-password-77",
            "next": "/volunteer/profile/",
        },
    )
    email = OutboundEmail.objects.get(to=["new.volunteer@example.org"])
    confirm = re.search(r"/accounts/confirm-email/[^/\s]+/", email.body_text).group(0)
    response = client.post(confirm)
    assert response["Location"] == "/volunteer/profile/"
    response = client.get("/volunteer/profile/")
    assert response["Location"] == "/volunteer/questions/date-of-birth/"
    page = client.get(response["Location"]).content.decode()
    assert "What is your date of birth?" in page


def test_a_volunteer_signing_in_lands_on_their_profile_page(client):
    user = UserFactory(email="jo@example.org")
    client.force_login(user)
    sign_up(client)
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/volunteer/profile/"
    assert "Your volunteering profile" in client.get("/volunteer/profile/").content.decode()


def test_each_answer_is_saved_as_it_is_given(client, person):
    assert client.get("/volunteer/questions/date-of-birth/").status_code == 200
    walk(client, stop_before="postcode")
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.status == Volunteer.Status.INCOMPLETE
    assert volunteer.full_name == "Jo Clarke"
    assert volunteer.profile_steps == ["date-of-birth", "name"]
    # Coming back later (another device, another day) picks up at the next question.
    assert client.get("/volunteer/profile/")["Location"] == "/volunteer/questions/postcode/"
    page = client.get("/volunteer/questions/name/").content.decode()
    assert 'value="Jo Clarke"' in page


def test_questions_cannot_be_skipped(client, person):
    response = client.get("/volunteer/questions/interests/")
    assert response["Location"] == "/volunteer/questions/date-of-birth/"
    assert client.get("/volunteer/check/")["Location"] == "/volunteer/questions/date-of-birth/"
    assert client.get("/volunteer/questions/no-such-question/").status_code == 404


def test_finishing_the_profile_puts_the_volunteer_in_the_queue_and_emails_them(client, person):
    centroid("NE33 2RL", (54.9966, -1.43))
    walk(client)
    page = client.get("/volunteer/check/").content.decode()
    assert "Check your answers before you finish" in page
    for text in ("Jo Clarke", "07700 900 982", "NE33 2RL", "Up to 5 km", "Teacher or teaching"):
        assert text in page
    assert "Monday: morning" in page and "Saturday: morning, evening" in page
    assert 'href="/volunteer/questions/postcode/?change=1"' in page

    response = client.post("/volunteer/check/", follow=True)
    assert "Thank you for signing up to volunteer" in response.content.decode()
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.profile_completed_at is not None
    assert volunteer.waiting_since == volunteer.profile_completed_at
    assert (volunteer.latitude, volunteer.longitude) == (54.9966, -1.43)
    assert volunteer.travel_km == 5 and not volunteer.remote_only
    assert volunteer.availability == availability_mask(
        ["mon_morning", "sat_morning", "sat_evening"]
    )
    assert set(volunteer.skills.values_list("slug", flat=True)) == {
        "teacher-or-teaching-assistant",
        "driving-i-have-a-car",
    }
    email = OutboundEmail.objects.get(to=[person.email])
    assert email.subject == "Thank you for signing up to volunteer"
    assert "/volunteer/profile/" in email.body_text
    actions = list(
        AuditLogEntry.objects.filter(object_id=str(volunteer.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[0] == "volunteers.volunteer.started"
    assert actions.count("volunteers.profile.answered") == len(STEP_FIELDS) - 1  # no guardian
    assert actions[-1] == "volunteers.volunteer.signed_up"
    # The audit log names what changed, never the answers themselves.
    assert not AuditLogEntry.objects.filter(data__icontains="Jo Clarke").exists()


def test_finishing_twice_changes_nothing(client, person):
    walk(client)
    client.post("/volunteer/check/")
    first = Volunteer.objects.get(user=person).profile_completed_at
    assert client.post("/volunteer/check/")["Location"] == "/volunteer/profile/"
    assert Volunteer.objects.get(user=person).profile_completed_at == first
    assert OutboundEmail.objects.filter(to=[person.email]).count() == 1


def test_a_postcode_the_council_has_not_imported_leaves_the_place_empty(client, person):
    walk(client)
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.postcode == "NE33 2RL"
    assert volunteer.latitude is None and volunteer.longitude is None


def test_remote_only(client, person):
    walk(client, stop_before="travel")
    client.post("/volunteer/questions/travel/", {"travel": "remote"})
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.remote_only and volunteer.travel_km is None


def test_changing_an_answer_from_the_check_page_returns_there(client, person):
    walk(client)
    page = client.get("/volunteer/questions/name/?change=1").content.decode()
    assert 'href="/volunteer/check/"' in page  # the back link
    assert "Save and go back to check your answers" in page
    response = client.post(
        "/volunteer/questions/name/?change=1", {"full_name": "Jo Clarke-Smith", "phone": ""}
    )
    assert response["Location"] == "/volunteer/check/"
    assert "Jo Clarke-Smith" in client.get("/volunteer/check/").content.decode()


# Each bad answer, the message a person sees, and the field it sits beside.
BAD_ANSWERS = [
    ("date-of-birth", {}, "id_date_of_birth", "Enter your date of birth"),
    (
        "date-of-birth",
        {"date_of_birth_day": "12", "date_of_birth_year": "1980"},
        "id_date_of_birth",
        "Date of birth must include a month",
    ),
    (
        "date-of-birth",
        {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "1980"},
        "id_date_of_birth",
        "Date of birth must be a real date",
    ),
    (
        "date-of-birth",
        {"date_of_birth_day": "3", "date_of_birth_month": "4", "date_of_birth_year": "80"},
        "id_date_of_birth",
        "Year must include 4 numbers",
    ),
    (
        "date-of-birth",
        {"date_of_birth_day": "3", "date_of_birth_month": "4", "date_of_birth_year": "2999"},
        "id_date_of_birth",
        "Date of birth must be in the past",
    ),
    (
        "date-of-birth",
        {"date_of_birth_day": "3", "date_of_birth_month": "4", "date_of_birth_year": "1850"},
        "id_date_of_birth",
        "Date of birth must be the same as or after 1 January 1900",
    ),
    ("name", {"full_name": "", "phone": ""}, "id_full_name", "Enter your full name"),
    (
        "name",
        {"full_name": "Jo", "phone": "call me"},
        "id_phone",
        "Enter a phone number, like 01632 960 001",
    ),
    ("postcode", {"postcode": ""}, "id_postcode", "Enter your postcode"),
    ("postcode", {"postcode": "NOT A CODE"}, "id_postcode", "Enter a full UK postcode"),
    ("travel", {}, "id_travel_0", "Select how far you would travel"),
    ("travel", {"travel": "500"}, "id_travel_0", "Select how far you would travel"),
    ("skills", {"careers": ["99999"]}, "id_careers_0", "Select your background from the list"),
    ("interests", {}, "id_interests_0", "Select at least one thing you would like to help with"),
    ("availability", {}, "id_mon_0", "Select at least one time when you could volunteer"),
    ("heard", {}, "id_heard_from_0", "Select how you heard about volunteering with us"),
    (
        "anything-else",
        {"about": "x" * (forms.ABOUT_MAX + 1)},
        "id_about",
        "must be 1,000 characters or fewer",
    ),
]


@pytest.mark.parametrize(("slug", "data", "field_id", "message"), BAD_ANSWERS)
def test_each_bad_answer_is_explained_beside_its_field(
    client, person, slug, data, field_id, message
):
    walk(client, stop_before=slug)
    response = client.post(f"/volunteer/questions/{slug}/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    # In the summary, linked to the field…
    assert re.search(rf'<a href="#{field_id}">[^<]*{re.escape(message)}', page), page
    # …and beside the field itself.
    assert re.search(
        rf'class="govuk-error-message"[^>]*><span class="govuk-visually-hidden">Error:</span> [^<]*{re.escape(message)}',
        page,
    )
    assert "<title>Error: " in page
    # Nothing was saved for this question.
    volunteer = Volunteer.objects.filter(user=person).first()
    assert volunteer is None or slug not in volunteer.profile_steps


def test_what_was_typed_is_shown_again_with_the_message(client, person):
    walk(client, stop_before="postcode")
    page = client.post("/volunteer/questions/postcode/", {"postcode": "NE99 ZZZZ"}).content.decode()
    assert 'value="NE99 ZZZZ"' in page
    page = client.post(
        "/volunteer/questions/date-of-birth/",
        {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "1980"},
    ).content.decode()
    assert 'value="31"' in page and 'value="1980"' in page


def test_the_date_box_at_fault_is_marked(client, person):
    page = client.post(
        "/volunteer/questions/date-of-birth/",
        {"date_of_birth_day": "12", "date_of_birth_month": "", "date_of_birth_year": "1980"},
    ).content.decode()
    boxes = re.findall(r'<input class="([^"]*)" id="(id_date_of_birth[^"]*)"', page)
    marked = {box_id for classes, box_id in boxes if "govuk-input--error" in classes}
    assert marked == {"id_date_of_birth_month"}


def test_no_question_asks_about_health_or_criminal_records():
    forbidden = re.compile(r"criminal|conviction|offence|disabilit|medical|health condition", re.I)
    for step in STEPS:
        form = step.form()
        for field in form.fields.values():
            assert not forbidden.search(str(field.label)), (step.slug, field.label)
    hint = forms.AnythingElseForm().fields["about"].help_text
    assert "Do not tell us about your health or about any criminal record" in hint


def test_the_pages_and_the_services_ask_the_same_questions_in_the_same_order():
    assert [step.slug for step in STEPS] == list(STEP_FIELDS)


def test_a_saved_date_of_birth_is_shown_in_its_three_boxes(client, person):
    client.post("/volunteer/questions/date-of-birth/", date_fields(date(1980, 4, 3)))
    page = client.get("/volunteer/questions/date-of-birth/").content.decode()
    assert 'name="date_of_birth_day" type="text" inputmode="numeric" value="3"' in page
    assert 'name="date_of_birth_month" type="text" inputmode="numeric" value="4"' in page
    assert 'name="date_of_birth_year" type="text" inputmode="numeric" value="1980"' in page
    assert 'autocomplete="bday-day"' in page
