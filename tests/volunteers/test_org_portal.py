"""The organisation portal and organisations: registration, approval, roles, and acting on
referrals; every bad answer gets its message beside the field."""

import pytest

from council.models import AuditLogEntry, OutboundEmail
from council.roles import Role, user_has_role
from tests.council.factories import StaffFactory, UserFactory
from tests.volunteers.factories import (
    OpportunityFactory,
    OrganisationFactory,
    VolunteerFactory,
    centroid,
    contact_for,
    interest,
    skill,
)
from volunteers.models import Opportunity, Organisation, Referral, Volunteer, availability_mask
from volunteers.services import placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return StaffFactory(roles=[Role.COORDINATOR], authenticator=True)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Westoe Befrienders", email="hello@befrienders.example")


@pytest.fixture
def contact(organisation):
    return contact_for(organisation, email="jo@befrienders.example")


def role_answers(**changes) -> dict:
    answers = {
        "title": "Befriender",
        "description": "Visit an older person at home each week for a chat.",
        "skills": [skill("Befriending and listening").pk],
        "interests": [interest("Older people").pk],
        "times_mon": ["mon_morning"],
        "times_thu": ["thu_afternoon", "thu_evening"],
        "remote": "no",
        "postcode": "ne33 2rl",
        "minimum_age": "18",
        "youth_friendly": "no",
        "capacity": "4",
        "check_level": "enhanced",
        "open_to_convictions": "yes",
        "status": "open",
    }
    return {**answers, **changes}


# --- Registering and approving organisations ------------------------------------------------------


def test_anyone_signed_in_registers_an_organisation_which_waits_for_approval(client, coordinator):
    person = UserFactory(email="lee@choir.example")
    client.force_login(person)
    response = client.post(
        "/org/register/",
        {
            "name": "  Harton   Community Choir ",
            "email": "choir@choir.example",
            "description": "Singing",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == "Harton Community Choir"
    assert organisation.status == Organisation.Status.PENDING
    assert list(organisation.contacts.all()) == [person]
    assert user_has_role(person, Role.ORGANISATION_CONTACT)
    page = client.get("/org/").content.decode()
    assert "waiting for the volunteer coordinator's approval" in page
    # Until approved, no roles can be added.
    assert client.get("/org/roles/new/")["Location"] == "/org/"

    client.force_login(coordinator)
    assert (
        "Harton Community Choir"
        in client.get("/staff/volunteers/organisations/?status=pending").content.decode()
    )
    client.post(f"/staff/volunteers/organisations/{organisation.pk}/approve/")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED
    assert organisation.approved_by == coordinator
    email = OutboundEmail.objects.get(subject__contains="can now take volunteer referrals")
    assert email.to == ["choir@choir.example", "lee@choir.example"]


def test_registration_errors_are_shown_beside_each_field(client, organisation):
    client.force_login(UserFactory())
    response = client.post(
        "/org/register/", {"name": "westoe befrienders", "email": "not an email"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "An organisation called westoe befrienders is already registered" in page
    assert "Enter an email address in the correct format, like name@example.org" in page


def test_the_coordinator_adds_an_approved_organisation_with_a_contact(client, coordinator):
    existing = UserFactory(email="pat@trust.example")
    client.force_login(coordinator)
    response = client.post(
        "/staff/volunteers/organisations/new/",
        {
            "name": "Tyne Trust",
            "email": "trust@trust.example",
            "contact_email": "nobody@trust.example",
        },
    )
    assert response.status_code == 400
    assert "No account uses nobody@trust.example" in response.content.decode()
    client.post(
        "/staff/volunteers/organisations/new/",
        {
            "name": "Tyne Trust",
            "email": "trust@trust.example",
            "contact_email": "PAT@trust.example",
        },
    )
    organisation = Organisation.objects.get(name="Tyne Trust")
    assert organisation.status == Organisation.Status.APPROVED
    assert list(organisation.contacts.all()) == [existing]
    assert user_has_role(existing, Role.ORGANISATION_CONTACT)


def test_suspending_needs_a_reason_and_takes_the_roles_out_of_matching(
    client, coordinator, organisation
):
    OpportunityFactory(organisation=organisation)
    client.force_login(coordinator)
    response = client.post(
        f"/staff/volunteers/organisations/{organisation.pk}/suspend/", {"suspend-reason": ""}
    )
    assert response.status_code == 400
    assert "Enter why you are suspending the organisation" in response.content.decode()
    client.post(
        f"/staff/volunteers/organisations/{organisation.pk}/suspend/",
        {"suspend-reason": "Lost its safeguarding lead"},
    )
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.SUSPENDED
    assert AuditLogEntry.objects.get(action="volunteers.organisation.suspended").data["reason"] == (
        "Lost its safeguarding lead"
    )
    from volunteers import selectors

    assert selectors.role_facts() == []


def test_contacts_are_added_and_removed_by_the_coordinator(
    client, coordinator, organisation, contact
):
    other = UserFactory(email="sam@befrienders.example")
    client.force_login(coordinator)
    client.post(
        f"/staff/volunteers/organisations/{organisation.pk}/contacts/",
        {"contact-email": other.email},
    )
    assert set(organisation.contacts.all()) == {contact, other}
    response = client.post(
        f"/staff/volunteers/organisations/{organisation.pk}/contacts/",
        {"contact-email": other.email},
    )
    assert (
        "sam@befrienders.example is already a contact for Westoe Befrienders"
        in response.content.decode()
    )
    client.post(
        f"/staff/volunteers/organisations/{organisation.pk}/contacts/", {"remove": other.pk}
    )
    assert list(organisation.contacts.all()) == [contact]
    assert not user_has_role(other, Role.ORGANISATION_CONTACT)


# --- Roles ----------------------------------------------------------------------------------------


def test_a_contact_adds_a_role_with_every_detail(client, contact, organisation):
    centroid("NE33 2RL", (54.9966, -1.4300))
    client.force_login(contact)
    response = client.post("/org/roles/new/", role_answers())
    assert response.status_code == 302, response.content.decode()
    role = Opportunity.objects.get()
    assert role.organisation == organisation
    assert (role.postcode, role.latitude, role.longitude) == ("NE33 2RL", 54.9966, -1.4300)
    assert role.availability == availability_mask(["mon_morning", "thu_afternoon", "thu_evening"])
    assert role.check_level == Opportunity.CheckLevel.ENHANCED
    assert role.open_to_convictions is True
    assert role.capacity == 4
    assert [s.name for s in role.skills.all()] == ["Befriending and listening"]
    # And changes it: a remote, youth-friendly role now, paused.
    client.post(
        f"/org/roles/{role.pk}/",
        role_answers(
            remote="yes", postcode="", youth_friendly="yes", minimum_age="16", status="paused"
        ),
    )
    role.refresh_from_db()
    assert (role.remote, role.youth_friendly, role.minimum_age, role.status) == (
        True,
        True,
        16,
        "paused",
    )
    assert AuditLogEntry.objects.filter(action="volunteers.opportunity.updated").get().data[
        "changed"
    ] == [
        "postcode",
        "remote",
        "minimum_age",
        "youth_friendly",
        "status",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter the title of the role"),
        ({"postcode": ""}, "Enter the postcode of the place, or say it can be done from home"),
        ({"postcode": "NOT A POSTCODE"}, "Enter a full UK postcode, like NE33 2RL"),
        ({"postcode": "NE1 1AA"}, "We could not find NE1 1AA in the council&#x27;s postcode list"),
        ({"minimum_age": "15"}, "The minimum age must be 16 or more"),
        ({"minimum_age": "16"}, "Set the minimum age to 18, or say the role is youth-friendly"),
        ({"youth_friendly": "yes"}, "A youth-friendly role must take people from 16 or 17"),
        ({"capacity": "0"}, "The role must take at least 1 volunteer"),
        ({"check_level": ""}, "Select which check your organisation runs"),
    ],
)
def test_each_bad_answer_about_a_role_is_explained(client, contact, changes, message):
    centroid("NE33 2RL", (54.9966, -1.4300))
    client.force_login(contact)
    response = client.post("/org/roles/new/", role_answers(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not Opportunity.objects.exists()
    # What was typed is kept.
    assert "Visit an older person at home each week" in page


# --- Acting on referrals ---------------------------------------------------------------------------


def test_a_contact_acknowledges_records_checks_and_marks_the_volunteer_active(
    client, coordinator, contact, organisation
):
    role = OpportunityFactory(organisation=organisation, title="Befriender", check_level="standard")
    volunteer = VolunteerFactory(full_name="Alex Morgan")
    referral = placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)
    client.force_login(contact)
    home = client.get("/org/").content.decode()
    assert "Alex Morgan" in home and "Acknowledge by" in home
    page = client.get(f"/org/referrals/{referral.pk}/").content.decode()
    assert volunteer.user.email in page
    assert "Acknowledge the referral" in page
    assert "Close as no response" not in page  # the coordinator's step only
    assert client.post(f"/org/referrals/{referral.pk}/no_response/").status_code == 404

    client.post(f"/org/referrals/{referral.pk}/acknowledge/")
    response = client.post(f"/org/referrals/{referral.pk}/checks/", {"checks-stage": ""})
    assert response.status_code == 400
    assert "Select how far the checks have got" in response.content.decode()
    client.post(f"/org/referrals/{referral.pk}/checks/", {"checks-stage": "in_progress"})
    referral.refresh_from_db()
    assert (referral.status, referral.check_stage) == ("checks", "in_progress")
    client.post(f"/org/referrals/{referral.pk}/activate/")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACTIVE
    assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.ACTIVE
    # Ending needs a reason, given beside the field.
    response = client.post(f"/org/referrals/{referral.pk}/end/", {"end-reason": ""})
    assert response.status_code == 400
    assert "Enter why they stopped volunteering" in response.content.decode()
    actors = set(
        AuditLogEntry.objects.filter(object_id=str(referral.pk), actor=contact).values_list(
            "action", flat=True
        )
    )
    assert actors == {
        "volunteers.referral.acknowledged",
        "volunteers.referral.check_stage",
        "volunteers.referral.active",
    }


def test_a_contact_declines_with_a_reason(client, coordinator, contact, organisation):
    role = OpportunityFactory(organisation=organisation)
    referral = placement.referral_create(
        volunteer=VolunteerFactory(), opportunity=role, actor=coordinator
    )
    client.force_login(contact)
    response = client.post(f"/org/referrals/{referral.pk}/decline/", {"decline-reason": ""})
    assert response.status_code == 400
    assert "Enter why the organisation cannot take them" in response.content.decode()
    client.post(
        f"/org/referrals/{referral.pk}/decline/", {"decline-reason": "No spaces until spring"}
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "No spaces until spring")
    # A second click on an old page is refused in words, not with an error page.
    response = client.post(f"/org/referrals/{referral.pk}/acknowledge/", follow=True)
    assert "This referral is declined, so it cannot be acknowledged." in response.content.decode()


def test_every_organisation_page_and_the_check_in_page_is_valid_html(
    client, coordinator, contact, organisation
):
    from tests.volunteers.test_referrals import assert_valid_html
    from volunteers.models import CheckIn

    role = OpportunityFactory(organisation=organisation)
    referral = placement.referral_create(
        volunteer=VolunteerFactory(), opportunity=role, actor=coordinator
    )
    client.force_login(contact)
    for path in [
        "/org/",
        "/org/referrals/",
        "/org/referrals/?status=referred",
        f"/org/referrals/{referral.pk}/",
        "/org/roles/new/",
        f"/org/roles/{role.pk}/",
    ]:
        assert_valid_html(client.get(path))
    assert_valid_html(client.post("/org/roles/new/", {"title": ""}), 400)
    client.logout()
    client.force_login(UserFactory())
    assert_valid_html(client.get("/org/register/"))
    referral = placement.referral_activate(referral=referral, actor=contact)
    check_in = CheckIn.objects.create(
        referral=referral, months=3, respondent="volunteer", due_at=referral.active_at
    )
    page = f"/check-in/{placement.check_in_token(check_in)}/"
    assert_valid_html(client.get(page + "?answer=no"))
    assert_valid_html(client.post(page, {"still": "no"}), 400)
