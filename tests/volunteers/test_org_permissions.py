"""Who may open which volunteering page, with real ids: every staff, organisation and
volunteer URL, as every role and as another organisation's contact.

An organisation contact reaches only its own organisation's roles and referrals; for
anything else the answer is 404, exactly as for a record that does not exist.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.http import Http404
from django.utils import timezone

from council.roles import Role
from tests.council.factories import StaffFactory, UserFactory
from tests.volunteers.factories import (
    OpportunityFactory,
    OrganisationFactory,
    VolunteerFactory,
    contact_for,
)
from volunteers import selectors
from volunteers.models import CheckIn, Organisation, Referral
from volunteers.services import placement

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "volunteer",
    "organisation",
    "other_organisation",
    "coordinator",
    "comms",
    "administrator",
]
# What each role gets; "login" is a redirect to the sign-in page.
COORDINATOR = {
    "anonymous": "login",
    "volunteer": 403,
    "organisation": 403,
    "other_organisation": 403,
    "coordinator": 200,
    "comms": 403,
    "administrator": 200,
}
CONTACTS = {
    "anonymous": "login",
    "volunteer": 403,
    "organisation": 200,
    "other_organisation": 200,
    "coordinator": 403,
    "comms": 403,
    "administrator": 200,
}
# Contact A's own record: 404 to contact B, and to an administrator, who is nobody's contact.
OWN = CONTACTS | {"other_organisation": 404, "administrator": 404}
# Contact B's record, the other way round.
OTHERS = CONTACTS | {"organisation": 404, "administrator": 404}


@pytest.fixture
def world(db):
    """Two organisations, each with a contact, a role and a referral; a volunteer; a check-in."""

    def with_totp(user):
        TOTP.activate(user, generate_totp_secret())
        return user

    coordinator = with_totp(StaffFactory(roles=[Role.COORDINATOR]))
    mine = OrganisationFactory(name="Mine")
    theirs = OrganisationFactory(name="Theirs")
    my_contact = contact_for(mine)
    their_contact = contact_for(theirs)
    my_role = OpportunityFactory(organisation=mine, title="My role", capacity=5)
    their_role = OpportunityFactory(organisation=theirs, title="Their role", capacity=5)
    volunteer = VolunteerFactory(full_name="Vic Volunteer")
    my_referral = placement.referral_create(
        volunteer=volunteer, opportunity=my_role, actor=coordinator
    )
    their_referral = placement.referral_create(
        volunteer=VolunteerFactory(full_name="Wyn Other"), opportunity=their_role, actor=coordinator
    )
    active = placement.referral_create(
        volunteer=VolunteerFactory(full_name="Ash Active"), opportunity=my_role, actor=coordinator
    )
    placement.referral_activate(referral=active, actor=my_contact)
    check_in = CheckIn.objects.create(
        referral=active, months=3, respondent=CheckIn.Respondent.ORGANISATION, due_at=timezone.now()
    )
    people = {
        "anonymous": None,
        "volunteer": volunteer.user,
        "organisation": my_contact,
        "other_organisation": their_contact,
        "coordinator": coordinator,
        "comms": with_totp(StaffFactory(roles=[Role.COMMS])),
        "administrator": with_totp(StaffFactory(is_superuser=True)),
    }
    return {
        "people": people,
        "mine": mine,
        "theirs": theirs,
        "my_role": my_role,
        "their_role": their_role,
        "volunteer": volunteer,
        "my_referral": my_referral,
        "their_referral": their_referral,
        "token": placement.check_in_token(check_in),
    }


def outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    return response.status_code


def rows(w) -> list[tuple[str, str, dict, dict]]:
    """(method, url, data, what each role gets) for every volunteering URL with real ids."""
    my_ref, their_ref = w["my_referral"].pk, w["their_referral"].pk
    mine, my_role, their_role = w["mine"].pk, w["my_role"].pk, w["their_role"].pk
    volunteer = w["volunteer"].pk
    return [
        # The coordinator's pages.
        ("get", "/staff/volunteers/", {}, COORDINATOR),
        ("get", f"/staff/volunteers/{volunteer}/", {}, COORDINATOR),
        ("get", "/staff/volunteers/referrals/", {}, COORDINATOR),
        ("get", f"/staff/volunteers/referrals/{my_ref}/", {}, COORDINATOR),
        ("get", f"/staff/volunteers/referrals/{their_ref}/", {}, COORDINATOR),
        ("get", "/staff/volunteers/organisations/", {}, COORDINATOR),
        ("get", "/staff/volunteers/organisations/new/", {}, COORDINATOR),
        ("get", f"/staff/volunteers/organisations/{mine}/", {}, COORDINATOR),
        ("get", "/staff/volunteers/check-ins/", {}, COORDINATOR),
        # POSTs whose answers are refused (a missing reason, no role), so nothing changes.
        (
            "post",
            f"/staff/volunteers/{volunteer}/refer/",
            {"opportunity": "0"},
            COORDINATOR | {"coordinator": 302, "administrator": 302},
        ),
        (
            "post",
            f"/staff/volunteers/referrals/{my_ref}/decline/",
            {"decline-reason": ""},
            COORDINATOR | {"coordinator": 400, "administrator": 400},
        ),
        (
            "post",
            f"/staff/volunteers/organisations/{mine}/suspend/",
            {"suspend-reason": ""},
            COORDINATOR | {"coordinator": 400, "administrator": 400},
        ),
        (
            "post",
            f"/staff/volunteers/organisations/{mine}/contacts/",
            {"contact-email": ""},
            COORDINATOR | {"coordinator": 400, "administrator": 400},
        ),
        # The organisation portal.
        ("get", "/org/", {}, CONTACTS),
        ("get", "/org/referrals/", {}, CONTACTS),
        ("get", f"/org/referrals/{my_ref}/", {}, OWN),
        ("get", f"/org/referrals/{their_ref}/", {}, OTHERS),
        ("get", f"/org/roles/{my_role}/", {}, OWN),
        ("get", f"/org/roles/{their_role}/", {}, OTHERS),
        ("get", "/org/roles/new/", {}, CONTACTS | {"administrator": 302}),
        ("get", "/org/register/", {}, dict.fromkeys(ROLES, 200) | {"anonymous": "login"}),
        (
            "post",
            f"/org/referrals/{my_ref}/decline/",
            {"decline-reason": ""},
            OWN | {"organisation": 400},
        ),
        (
            "post",
            f"/org/referrals/{their_ref}/decline/",
            {"decline-reason": ""},
            OTHERS | {"other_organisation": 400},
        ),
        (
            "post",
            f"/org/referrals/{my_ref}/checks/",
            {"checks-stage": "passed"},
            OWN | {"organisation": 400},
        ),
        # Only the coordinator closes a referral as unanswered: no contact has that step.
        ("post", f"/org/referrals/{my_ref}/no_response/", {}, OWN | {"organisation": 404}),
        ("post", f"/org/roles/{my_role}/", {"title": ""}, OWN | {"organisation": 400}),
        ("post", f"/org/roles/{their_role}/", {"title": ""}, OTHERS | {"other_organisation": 400}),
        # The volunteer's own profile: there is no id to change, so nobody reaches another's.
        (
            "get",
            "/volunteer/profile/",
            {},
            dict.fromkeys(ROLES, 302) | {"anonymous": "login", "volunteer": 200},
        ),
        # A signed check-in link works for whoever holds it, signed in or not.
        ("get", f"/check-in/{w['token']}/", {}, dict.fromkeys(ROLES, 200)),
    ]


def test_each_role_and_another_organisations_contact_get_exactly_what_they_may(client, world):
    wrong = []
    for role in ROLES:
        client.logout()
        if world["people"][role] is not None:
            client.force_login(world["people"][role])
        for method, url, data, expected in rows(world):
            got = outcome(getattr(client, method)(url, data))
            if got != expected[role]:
                wrong.append(f"{role} {method.upper()} {url}: {got}, expected {expected[role]}")
    assert wrong == []
    # None of the refused POSTs changed anything.
    assert set(Referral.objects.values_list("status", flat=True)) == {"referred", "active"}
    assert set(Organisation.objects.values_list("status", flat=True)) == {"approved"}


def test_a_contacts_lists_hold_only_their_own_organisations_records(client, world):
    client.force_login(world["people"]["organisation"])
    home = client.get("/org/").content.decode()
    referrals = client.get("/org/referrals/").content.decode()
    assert "My role" in home and "Vic Volunteer" in home
    assert "Their role" not in home and "Wyn Other" not in home
    assert "Vic Volunteer" in referrals and "Wyn Other" not in referrals


def test_the_object_selectors_raise_404_for_anything_not_the_contacts(world):
    mine = world["people"]["organisation"]
    assert selectors.referral_get_for_contact(user=mine, pk=world["my_referral"].pk)
    with pytest.raises(Http404):
        selectors.referral_get_for_contact(user=mine, pk=world["their_referral"].pk)
    with pytest.raises(Http404):
        selectors.opportunity_get_for_contact(user=mine, pk=world["their_role"].pk)
    with pytest.raises(Http404):
        selectors.referral_get_for_contact(user=mine, pk=999999)
    # A suspended organisation's contact no longer reaches its records either.
    Organisation.objects.filter(pk=world["mine"].pk).update(status=Organisation.Status.SUSPENDED)
    with pytest.raises(Http404):
        selectors.referral_get_for_contact(user=mine, pk=world["my_referral"].pk)
    # Nor does someone signed out, or a signed-in person who contacts nobody.
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        selectors.referral_get_for_contact(user=AnonymousUser(), pk=world["their_referral"].pk)
    with pytest.raises(Http404):
        selectors.referral_get_for_contact(
            user=UserFactory(roles=[Role.ORGANISATION_CONTACT]), pk=world["their_referral"].pk
        )
