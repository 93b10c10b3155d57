"""Rows for the URL matrix in tests/council/test_url_permissions.py: URL name → (path, status per role)."""

from tests.council.url_roles import COMMS_ONLY, PUBLIC, ROLES, STAFF_ONLY  # noqa: F401

MATRIX: dict = {}

# The volunteer's own pages (tests/volunteers/test_signup.py, test_profile.py). Every signed-in
# role here has no volunteer profile, so its pages lead into the first question (302).
_SIGNED_IN = PUBLIC | {"anonymous": 302}
_POST_ONLY_SIGNED_IN = dict.fromkeys(ROLES, 405) | {"anonymous": 302}
_SOURCE_STAFF_404 = STAFF_ONLY | {"coordinator": 404, "comms": 404, "administrator": 404}
_SOURCE_STAFF_405 = STAFF_ONLY | {"coordinator": 405, "comms": 405, "administrator": 405}
MATRIX |= {
    "volunteers:start": ("/volunteer/", PUBLIC),
    "volunteers:profile": ("/volunteer/profile/", dict.fromkeys(ROLES, 302)),
    "volunteers:pause": ("/volunteer/profile/pause/", _POST_ONLY_SIGNED_IN),
    "volunteers:resume": ("/volunteer/profile/resume/", _POST_ONLY_SIGNED_IN),
    "volunteers:reopen": ("/volunteer/profile/reopen/", _POST_ONLY_SIGNED_IN),
    "volunteers:guardian_resend": ("/volunteer/profile/guardian-link/", _POST_ONLY_SIGNED_IN),
    "volunteers:close": ("/volunteer/profile/close/", dict.fromkeys(ROLES, 302)),
    "volunteers:question": ("/volunteer/questions/date-of-birth/", _SIGNED_IN),
    "volunteers:check": ("/volunteer/check/", dict.fromkeys(ROLES, 302)),
    "volunteers:too_young": ("/volunteer/too-young/", PUBLIC),
    # A parent or guardian's signed link: a made-up one is refused for everyone.
    "volunteers:guardian": ("/volunteer/guardian/not-a-token/", dict.fromkeys(ROLES, 400)),
    # Source codes: an unknown code still leads to the volunteering page (test_sources.py).
    "sources:visit": ("/v/not-a-code", dict.fromkeys(ROLES, 302)),
    "sources:visit_with_slash": ("/v/not-a-code/", dict.fromkeys(ROLES, 302)),
    # Coordinators and comms staff make source codes.
    "sources_staff:index": ("/staff/volunteers/sources/", STAFF_ONLY),
    "sources_staff:create": ("/staff/volunteers/sources/new/", STAFF_ONLY),
    "sources_staff:qr_svg": ("/staff/volunteers/sources/999/qr.svg", _SOURCE_STAFF_404),
    "sources_staff:qr_png": ("/staff/volunteers/sources/999/qr.png", _SOURCE_STAFF_404),
    "sources_staff:set_active": ("/staff/volunteers/sources/999/active/", _SOURCE_STAFF_405),
}

# The coordinator's pages (tests/volunteers/test_referrals.py): coordinators and administrators;
# comms staff are refused. Unknown ids are 404, and pages that only take a POST answer GET with 405.
COORDINATOR_ONLY = STAFF_ONLY | {"comms": 403}
_COORDINATOR_404 = COORDINATOR_ONLY | {"coordinator": 404, "administrator": 404}
_COORDINATOR_405 = COORDINATOR_ONLY | {"coordinator": 405, "administrator": 405}
# The organisation portal (tests/volunteers/test_org_portal.py, test_org_permissions.py): organisation
# contacts only (an administrator holds every role). The contact here has no organisation, so every
# record is 404 to them; test_org_permissions.py tries real ids as each role and as another contact.
CONTACT_ONLY = {
    "anonymous": 302,
    "volunteer": 403,
    "organisation": 200,
    "coordinator": 403,
    "comms": 403,
    "administrator": 200,
}
_CONTACT_404 = CONTACT_ONLY | {"organisation": 404, "administrator": 404}
_CONTACT_405 = CONTACT_ONLY | {"organisation": 405, "administrator": 405}
MATRIX |= {
    "volunteers_staff:queue": ("/staff/volunteers/", COORDINATOR_ONLY),
    "volunteers_staff:rematch": ("/staff/volunteers/rematch/", _COORDINATOR_405),
    "volunteers_staff:volunteer": ("/staff/volunteers/999/", _COORDINATOR_404),
    "volunteers_staff:refer": ("/staff/volunteers/999/refer/", _COORDINATOR_405),
    "volunteers_staff:referrals": ("/staff/volunteers/referrals/", COORDINATOR_ONLY),
    "volunteers_staff:referral": ("/staff/volunteers/referrals/999/", _COORDINATOR_404),
    "volunteers_staff:referral_step": (
        "/staff/volunteers/referrals/999/acknowledge/",
        _COORDINATOR_405,
    ),
    "volunteers_staff:organisations": ("/staff/volunteers/organisations/", COORDINATOR_ONLY),
    "volunteers_staff:organisation_new": ("/staff/volunteers/organisations/new/", COORDINATOR_ONLY),
    "volunteers_staff:organisation": ("/staff/volunteers/organisations/999/", _COORDINATOR_404),
    "volunteers_staff:organisation_approve": (
        "/staff/volunteers/organisations/999/approve/",
        _COORDINATOR_405,
    ),
    "volunteers_staff:organisation_suspend": (
        "/staff/volunteers/organisations/999/suspend/",
        _COORDINATOR_405,
    ),
    "volunteers_staff:organisation_contacts": (
        "/staff/volunteers/organisations/999/contacts/",
        _COORDINATOR_405,
    ),
    "volunteers_staff:check_ins": ("/staff/volunteers/check-ins/", COORDINATOR_ONLY),
    "org:home": ("/org/", CONTACT_ONLY),
    # Anyone signed in may register an organisation; they become its contact.
    "org:register": ("/org/register/", PUBLIC | {"anonymous": 302}),
    # With no approved organisation, adding a role leads back to /org/, which says why.
    "org:role_new": ("/org/roles/new/", CONTACT_ONLY | {"organisation": 302, "administrator": 302}),
    "org:role": ("/org/roles/999/", _CONTACT_404),
    "org:referrals": ("/org/referrals/", CONTACT_ONLY),
    "org:referral": ("/org/referrals/999/", _CONTACT_404),
    "org:referral_step": ("/org/referrals/999/acknowledge/", _CONTACT_405),
    # A retention check-in's signed link: a made-up one is refused for everyone.
    "check_in:answer": ("/check-in/not-a-token/", dict.fromkeys(ROLES, 400)),
}
