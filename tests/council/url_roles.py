"""What each role gets from GET, shared by every app's rows in the URL matrix."""

ROLES = ["anonymous", "volunteer", "organisation", "coordinator", "comms", "administrator"]
PUBLIC = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {
    "anonymous": 302,
    "volunteer": 403,
    "organisation": 403,
    "coordinator": 200,
    "comms": 200,
    "administrator": 200,
}
COMMS_ONLY = STAFF_ONLY | {"coordinator": 403}

MAYORS_OFFICE_ONLY = STAFF_ONLY | {"coordinator": 403, "comms": 403}
