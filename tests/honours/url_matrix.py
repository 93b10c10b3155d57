"""Rows for the URL matrix in tests/council/test_url_permissions.py: URL name → (path, status per role)."""

from tests.council.url_roles import COMMS_ONLY, PUBLIC, ROLES, STAFF_ONLY  # noqa: F401

MATRIX: dict = {
    # The public roll of honour; a page past the last is 404 for everyone.
    "honours:index": ("/heroes/", PUBLIC),
    # Citations: comms staff and administrators; an unknown entry is 404 for them.
    "honours_staff:index": ("/staff/heroes/", COMMS_ONLY),
    "honours_staff:entry": (
        "/staff/heroes/999/",
        COMMS_ONLY | {"comms": 404, "administrator": 404},
    ),
    "honours_staff:withdraw_approval": (
        "/staff/heroes/999/withdraw-approval/",
        COMMS_ONLY | {"comms": 405, "administrator": 405},
    ),
}
