"""Who may open which URL: a row for every URL pattern, so a new URL without one fails."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import URLPattern, URLResolver, get_resolver

from council.roles import Role
from tests.council.factories import StaffFactory, UserFactory
from tests.council.url_roles import (
    COMMS_ONLY,
    MAYORS_OFFICE_ONLY,
    PUBLIC,
    ROLES,
    STAFF_ONLY,
)
from tests.honours.url_matrix import MATRIX as HONOURS_MATRIX
from tests.social.url_matrix import MATRIX as SOCIAL_MATRIX
from tests.stories.url_matrix import MATRIX as STORIES_MATRIX
from tests.volunteers.url_matrix import MATRIX as VOLUNTEERS_MATRIX

pytestmark = pytest.mark.django_db

# URL name → what each role gets from GET. Add a row with every new URL.
MATRIX = {
    "home": ("/", PUBLIC),
    "accessibility": ("/accessibility/", PUBLIC),
    "privacy": ("/privacy/", PUBLIC),
    "brand_css": ("/brand.css", PUBLIC),
    "favicon": ("/favicon.ico", dict.fromkeys(ROLES, 301)),
    "healthz": ("/healthz", PUBLIC),
    "staff_dashboard": ("/staff/", STAFF_ONLY),
    # Nominations: public, no account. With no campaign the journey leads back to the start page.
    "nominations:start": ("/nominate/", PUBLIC),
    "nominations:question": ("/nominate/who/", dict.fromkeys(ROLES, 302)),
    "nominations:check": ("/nominate/check/", dict.fromkeys(ROLES, 302)),
    "nominations:sent": ("/nominate/sent/", PUBLIC),
    "nominations:resend": ("/nominate/resend/", PUBLIC),
    "nominations:confirm": ("/nominate/confirm/not-a-token/", dict.fromkeys(ROLES, 400)),
    "nominations:consent_code": ("/consent/", PUBLIC),
    "nominations:consent_answer": ("/consent/answer/", dict.fromkeys(ROLES, 302)),
    "nominations:consent": ("/consent/not-a-token/", dict.fromkeys(ROLES, 400)),
    # The nominee's own page and shared cards: signed links, so a made-up one is 404 for everyone.
    "recognition:nominee": ("/nominee/not-a-token/", dict.fromkeys(ROLES, 400)),
    "recognition:nominee_letter": ("/nominee/not-a-token/letter.pdf", dict.fromkeys(ROLES, 404)),
    "recognition:nominee_large_print": (
        "/nominee/not-a-token/large-print/",
        dict.fromkeys(ROLES, 405),
    ),
    "recognition:card_page": ("/cards/not-a-card/", dict.fromkeys(ROLES, 404)),
    "recognition:card_image": ("/cards/not-a-card/card.png", dict.fromkeys(ROLES, 404)),
    # The review queue: comms staff only; an unknown reference is 404 for them.
    "nominations_staff:queue": ("/staff/nominations/", COMMS_ONLY),
    # The Mayor's letters: the Mayor's office only.
    "letters:index": ("/staff/letters/", MAYORS_OFFICE_ONLY),
    "letters:preview": ("/staff/letters/preview/", MAYORS_OFFICE_ONLY),
    "letters:release": ("/staff/letters/release/", MAYORS_OFFICE_ONLY),
    "letters:batches": ("/staff/letters/batches/", MAYORS_OFFICE_ONLY),
    "letters:large_print": ("/staff/letters/large-print/", MAYORS_OFFICE_ONLY),
    "letters:retry": ("/staff/letters/999/retry/", MAYORS_OFFICE_ONLY | {"administrator": 405}),
    **{
        f"letters:{name}": (
            f"/staff/letters/batches/999/{path}",
            MAYORS_OFFICE_ONLY
            | {"administrator": 404}
            | ({"administrator": 405} if name == "batch_posted" else {}),
        )
        for name, path in [
            ("batch", ""),
            ("batch_progress", "progress/"),
            ("batch_pdf", "letters.pdf"),
            ("batch_csv", "addresses.csv"),
            ("batch_posted", "posted/"),
        ]
    },
    "letters:edit": ("/staff/letters/person/", MAYORS_OFFICE_ONLY),
    "nominations_staff:enter": (
        "/staff/nominations/new/",
        COMMS_ONLY | {"comms": 302, "administrator": 302},
    ),
    "nominations_staff:upload": ("/staff/nominations/upload/", COMMS_ONLY),
    "nominations_staff:upload_template": ("/staff/nominations/upload/template.csv", COMMS_ONLY),
    "nominations_staff:upload_status": (
        "/staff/nominations/upload/999/",
        COMMS_ONLY | {"comms": 404, "administrator": 404},
    ),
    "nominations_staff:upload_progress": (
        "/staff/nominations/upload/999/progress/",
        COMMS_ONLY | {"comms": 404, "administrator": 404},
    ),
    "nominations_staff:bulk_decide": (
        "/staff/nominations/decide/",
        COMMS_ONLY | {"comms": 405, "administrator": 405},
    ),
    "nominations_staff:detail": (
        "/staff/nominations/NXXXXXXX/",
        COMMS_ONLY | {"comms": 404, "administrator": 404},
    ),
    "nominations_staff:photo": (
        "/staff/nominations/NXXXXXXX/photo/",
        COMMS_ONLY | {"comms": 404, "administrator": 404},
    ),
    **{
        f"nominations_staff:{name}": (
            f"/staff/nominations/NXXXXXXX/{path}",
            COMMS_ONLY | {"comms": 405, "administrator": 405},
        )
        for name, path in [
            ("approve", "approve/"),
            ("reject", "reject/"),
            ("assign", "assign/"),
            ("add_note", "notes/"),
            ("mark_died", "died/"),
            ("family_contact", "family/"),
            ("consent_resend", "consent/"),
            ("merge", "duplicates/1/"),
            ("undo_merge", "merges/1/undo/"),
        ]
    },
}
# Each app with many URLs keeps its rows beside its own tests.
MATRIX |= HONOURS_MATRIX | STORIES_MATRIX | SOCIAL_MATRIX | VOLUNTEERS_MATRIX

# Whole areas owned by a library, checked below as a group.
PREFIXES = {
    "accounts/": "allauth",
    "admin/": "Django admin",
    "media/": "uploaded files (development only)",
    "anymail/": "the email provider's tracking webhooks, behind their own secret (test_delivery.py)",
}


def all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            namespace = (
                resolver.namespace
                if isinstance(resolver, URLResolver) and resolver.namespace
                else ""
            )
            yield route, f"{namespace}:{entry.name}" if namespace else entry.name


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
        "coordinator": with_totp(StaffFactory(roles=[Role.COORDINATOR])),
        "comms": with_totp(StaffFactory(roles=[Role.COMMS])),
        "administrator": with_totp(StaffFactory(is_superuser=True)),
    }


def test_each_role_gets_what_the_matrix_says(client, people):
    wrong = []
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        for name, (url, expected) in sorted(MATRIX.items()):
            status = client.get(url).status_code
            if status != expected[role]:
                wrong.append(f"{role} GET {url} ({name}): {status}, expected {expected[role]}")
    assert wrong == []


def test_the_admin_is_for_staff_only(client, people):
    # Signed-out people end on the sign-in page; signed-in people who are not staff are refused.
    expected = {
        "anonymous": "/accounts/login/",
        "volunteer": 403,
        "organisation": 403,
        "coordinator": 200,
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
