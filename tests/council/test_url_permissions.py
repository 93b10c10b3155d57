"""Who may open which URL: a row for every URL pattern, so a new URL without one fails."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import URLPattern, URLResolver, get_resolver

from council.roles import Role
from tests.council.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "volunteer", "organisation", "comms", "administrator"]
PUBLIC = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {
    "anonymous": 302,
    "volunteer": 403,
    "organisation": 403,
    "comms": 200,
    "administrator": 200,
}

# URL name → what each role gets from GET. Add a row with every new URL.
MATRIX = {
    "home": ("/", PUBLIC),
    "accessibility": ("/accessibility/", PUBLIC),
    "privacy": ("/privacy/", PUBLIC),
    "brand_css": ("/brand.css", PUBLIC),
    "healthz": ("/healthz", PUBLIC),
    "staff_dashboard": ("/staff/", STAFF_ONLY),
}
# Whole areas owned by a library, checked below as a group.
PREFIXES = {
    "accounts/": "allauth",
    "admin/": "Django admin",
    "media/": "uploaded files (development only)",
}


def all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def test_every_url_pattern_has_a_row():
    missing = [
        f"{route} ({name})"
        for route, name in all_patterns()
        if name not in MATRIX and not route.startswith(tuple(PREFIXES))
    ]
    assert not missing, f"Add these URLs to MATRIX in {__file__}: {missing}"


@pytest.fixture
def people():
    def with_totp(user):
        TOTP.activate(user, generate_totp_secret())
        return user

    return {
        "anonymous": None,
        "volunteer": UserFactory(),
        "organisation": UserFactory(roles=[Role.ORGANISATION_CONTACT]),
        "comms": with_totp(StaffFactory(roles=[Role.COMMS])),
        "administrator": with_totp(StaffFactory(is_superuser=True)),
    }


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(client, people, name):
    url, expected = MATRIX[name]
    got = {}
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        got[role] = client.get(url).status_code
    assert got == expected


def test_the_admin_is_for_staff_only(client, people):
    # Signed-out people end on the sign-in page; signed-in people who are not staff are refused.
    expected = {
        "anonymous": "/accounts/login/",
        "volunteer": 403,
        "organisation": 403,
        "comms": 200,
        "administrator": 200,
    }
    got = {}
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        response = client.get("/admin/", follow=True)
        got[role] = response.request["PATH_INFO"] if role == "anonymous" else response.status_code
    assert got == expected


def test_account_pages_never_fail_for_anyone(client, people):
    routes = [
        route
        for route, _name in all_patterns()
        if route.startswith("accounts/") and "<" not in route and "(?P" not in route
    ]
    assert len(routes) > 10
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        for route in routes:
            status = client.get("/" + route).status_code
            assert status in (200, 302, 403, 404, 405), f"{role} GET /{route} gave {status}"
