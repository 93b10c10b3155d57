"""Rows for the URL matrix in tests/council/test_url_permissions.py: URL name → (path, status per role)."""

from tests.council.url_roles import COMMS_ONLY, PUBLIC, ROLES, STAFF_ONLY  # noqa: F401

MATRIX: dict = {
    # Staff story pages: comms staff and administrators; an unknown story is 404 for them.
    "stories_staff:index": ("/staff/stories/", COMMS_ONLY),
    "stories_staff:start": ("/staff/stories/new/", COMMS_ONLY),
    "stories_staff:held": ("/staff/stories/held/", COMMS_ONLY),
    "stories_staff:release_all": (
        "/staff/stories/held/publish/",
        COMMS_ONLY | {"comms": 405, "administrator": 405},
    ),
    # Pausing all publishing is for administrators only.
    "stories_staff:pause": ("/staff/stories/pause/", COMMS_ONLY | {"comms": 403}),
    **{
        f"stories_staff:{name}": (
            f"/staff/stories/999/{path}",
            COMMS_ONLY | {"comms": 404, "administrator": 404},
        )
        for name, path in [
            ("detail", ""),
            ("edit", "edit/"),
            ("preview", "preview/"),
            ("image", "image/"),
            ("return_to_draft", "return/"),
            ("publish", "publish/"),
            ("take_down", "take-down/"),
            ("revisions", "revisions/"),
            ("compare", "revisions/compare/"),
        ]
    },
    **{
        f"stories_staff:{name}": (
            f"/staff/stories/999/{path}",
            COMMS_ONLY | {"comms": 405, "administrator": 405},
        )
        for name, path in [
            ("submit", "submit/"),
            ("approve", "approve/"),
            ("unschedule", "unschedule/"),
            ("release", "release/"),
            ("restore", "revisions/1/restore/"),
        ]
    },
}

# The public side: the list and the feed for everyone; an unknown story (or its press pack) is 404.
MATRIX |= {
    "stories:list": ("/stories/", PUBLIC),
    "stories:feed": ("/stories/feed/", PUBLIC),
    "stories:story": ("/stories/no-such-story/", dict.fromkeys(ROLES, 404)),
    "stories:press_pack": ("/stories/no-such-story/press-pack.zip", dict.fromkeys(ROLES, 404)),
}
