"""Rows for the URL matrix in tests/council/test_url_permissions.py: URL name → (path, status per role)."""

from tests.council.url_roles import COMMS_ONLY, STAFF_ONLY

# Channels hold the council's credentials: administrators only.
ADMIN_ONLY = STAFF_ONLY | {"coordinator": 403, "comms": 403}
MISSING = {"comms": 404, "administrator": 404}
POST_ONLY = {"comms": 405, "administrator": 405}

MATRIX: dict = {
    "social_staff:index": ("/staff/social/", COMMS_ONLY),
    "social_staff:history": ("/staff/social/history/", COMMS_ONLY),
    "social_staff:start": ("/staff/social/new/", COMMS_ONLY),
    "social_staff:story": ("/staff/social/stories/999/", COMMS_ONLY | MISSING),
    **{
        f"social_staff:{name}": (f"/staff/social/posts/999/{path}", COMMS_ONLY | MISSING)
        for name, path in [
            ("post", ""),
            ("edit", "edit/"),
            ("schedule", "schedule/"),
            ("reconcile", "reconcile/"),
            ("image", "image/"),
        ]
    },
    **{
        f"social_staff:{name}": (f"/staff/social/posts/999/{path}", COMMS_ONLY | POST_ONLY)
        for name, path in [
            ("approve", "approve/"),
            ("unschedule", "unschedule/"),
            ("retry", "retry/"),
            ("release", "release/"),
            ("removed_by_hand", "removed/"),
        ]
    },
    "social_staff:channels": ("/staff/social/channels/", ADMIN_ONLY),
    "social_staff:channel_new": ("/staff/social/channels/new/", ADMIN_ONLY),
    "social_staff:channel": ("/staff/social/channels/999/", ADMIN_ONLY | {"administrator": 404}),
    "social_staff:channel_test": (
        "/staff/social/channels/999/test/",
        ADMIN_ONLY | {"administrator": 405},
    ),
}
