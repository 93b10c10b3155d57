"""Plain-English words for audit actions, for the history tables staff read."""

LABELS = {
    "council.settings.updated": "Changed the council settings",
    "council.civic_year.created": "Added a civic year",
    "council.civic_year.updated": "Changed a civic year",
    "council.area.created": "Added a ward",
    "council.area.updated": "Changed a ward",
    "council.areas.imported": "Imported wards",
    "council.account.created": "Created an account",
    "council.account.updated": "Updated an account",
    "nominations.nomination.submitted": "Nomination received",
    "nominations.nomination.confirmed": "Nominator confirmed the nomination",
    "nominations.nomination.approved": "Approved",
    "nominations.nomination.rejected": "Rejected",
    "nominations.nomination.assigned": "Assigned",
    "nominations.nomination.noted": "Added a note",
    "nominations.nomination.purged": "Deleted: never confirmed",
    "nominations.confirmation.resent": "Sent a new confirmation link",
    "nominations.nominee.merged": "Merged a duplicate nominee into this one",
    "nominations.nominee.split": "Split from a merge",
    "nominations.nominee.died_flagged": "Marked as having died",
    "nominations.nominee.died_unflagged": "No longer marked as having died",
    "nominations.duplicate.dismissed": "Marked a possible duplicate as a different person",
    "nominations.consent.requested": "Asked for consent",
    "nominations.consent.given": "Consent given or changed",
    "nominations.consent.withdrawn": "Consent withdrawn",
}


def label(action: str) -> str:
    return LABELS.get(action, action)
