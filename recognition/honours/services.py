"""Every change to the roll of honour: entries kept in step with nominations, and citations.

An entry is listed on /heroes/ only when all of these hold:
- the nominee has an approved nomination and has not been merged into another;
- the consent in force (nominations.selectors.nominee_consent, which for an
  under-18 needs the young person and a guardian) says yes to the roll of honour;
- staff have written a citation and approved it;
- the citation does not use a name the nominee asked us not to show.

Nominations sends `nominee_changed` inside the transaction of every change to
those facts, and `receivers.py` calls `honour_entries_refresh` there and then,
so a withdrawal takes the name off the public page in the request that records it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from council.services import audit_log
from nominations.models import NameDisplay
from nominations.selectors import Consent, RollFacts, letter_facts, roll_facts
from recognition.honours import search
from recognition.honours.models import (
    CITATION_MAX_LENGTH,
    NAME_WITHHELD,
    HonourEntry,
    ListingStatus,
    RollVersion,
)

# Titles and short words in a name that give nobody away when a citation uses them.
_NOT_IDENTIFYING = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "the"}


class HonoursError(Exception):
    """A rule of the roll of honour was broken; the message is for the person who tried."""

    messages = {
        "citation_required": "Enter a citation",
        "citation_too_long": f"The citation must be {CITATION_MAX_LENGTH} characters or fewer",
        "citation_copied": "Write the citation in your own words: it cannot be the nomination as it was written",
        "citation_names_them": "{name} asked for their name to be shown as “{shown}”. Remove “{word}” from the citation",
        "edited_meanwhile": "A colleague changed this citation while you were editing it. Their version is shown below: check it, then save yours again",
        "not_on_roll": "This nominee has no approved nomination, so they cannot be on the roll of honour",
        "nothing_to_withdraw": "This citation is not approved, so there is no approval to withdraw",
    }

    def __init__(self, code: str, *, field: str | None = "citation", **params):
        self.code = code
        self.field = field
        super().__init__(self.messages[code].format(**params))


# --- Listing rules ------------------------------------------------------------------------


def shown_name(nominee, consent: Consent) -> str | None:
    """The name the public sees, as consent chose it; None when withheld."""
    return consent.display_name(nominee) if consent.answered else None


def withheld_words(nominee, consent: Consent) -> list[str]:
    """Words of the nominee's name that consent does not let us show (all of them, until asked)."""
    words = [word for word in nominee.name.split() if len(word.strip(".,'’-")) > 1]
    if consent.answered and consent.name_display == NameDisplay.FULL:
        return []
    if consent.answered and consent.name_display == NameDisplay.FIRST_AND_INITIAL:
        words = words[1:]
    return [
        word for word in words if search.search_words(word) and _plain(word) not in _NOT_IDENTIFYING
    ]


def _plain(word: str) -> str:
    return " ".join(search.search_words(word))


def withheld_word_in(citation: str, nominee, consent: Consent) -> str | None:
    """The first withheld part of the name that the citation uses, if any."""
    cited = f" {' '.join(search.search_words(citation))} "
    for word in withheld_words(nominee, consent):
        if f" {_plain(word)} " in cited:
            return word
    return None


@dataclass(frozen=True)
class Listing:
    status: str
    display_name: str
    anonymous: bool


def listing_for(*, facts: RollFacts, citation: str, citation_approved: bool) -> Listing:
    """Whether an entry is listed and what it shows: the rules above, in order."""
    consent = facts.consent
    name = shown_name(facts.nominee, consent)
    if facts.merged:
        status = ListingStatus.MERGED
    elif not facts.approved:
        status = ListingStatus.NOT_APPROVED
    elif not consent.answered:
        status = ListingStatus.NO_CONSENT
    elif not consent.roll_of_honour:
        status = ListingStatus.DECLINED
    elif not citation:
        status = ListingStatus.NEEDS_CITATION
    elif not citation_approved:
        status = ListingStatus.AWAITING_APPROVAL
    elif withheld_word_in(citation, facts.nominee, consent):
        status = ListingStatus.CITATION_NAMES_THEM
    else:
        status = ListingStatus.LISTED
    return Listing(status=status, display_name=name or str(NAME_WITHHELD), anonymous=name is None)


def public_fields(*, facts: RollFacts, citation: str, citation_approved: bool) -> dict:
    """Every field of an entry that follows from the facts and the citation."""
    listing = listing_for(facts=facts, citation=citation, citation_approved=citation_approved)
    listed = listing.status == ListingStatus.LISTED
    return {
        "status": listing.status,
        "listed": listed,
        "display_name": listing.display_name if listed else "",
        "anonymous": listing.anonymous,
        # Named entries A to Z by the name as shown, then the names withheld.
        "sort_key": (
            ("1" if listing.anonymous else "0")
            + " ".join(search.search_words(listing.display_name))
        )[:160]
        if listed
        else "",
        "search_text": search.indexed_text(
            "" if listing.anonymous else listing.display_name, citation
        )
        if listed
        else "",
        "campaign_id": facts.campaign_id,
        "category_id": facts.category_id,
        "area_id": facts.area_id,
    }


# --- Keeping entries in step --------------------------------------------------------------


def roll_version_bump(*, listed_change: int = 0) -> None:
    """Every cached page of the roll is out of date from now (part of the caller's transaction).

    `listed_change` is how many more (or fewer) entries are listed than before.
    """
    updated = RollVersion.objects.filter(pk=1).update(
        number=F("number") + 1,
        listed_count=F("listed_count") + listed_change,
        changed_at=timezone.now(),
    )
    if not updated:
        roll_recount()


def roll_recount() -> None:
    """Count the listed entries afresh (after a bulk change, or should the count ever be wrong)."""
    listed = HonourEntry.objects.filter(listed=True).count()
    version, created = RollVersion.objects.select_for_update().get_or_create(
        pk=1, defaults={"number": 1, "listed_count": listed}
    )
    if not created:
        RollVersion.objects.filter(pk=1).update(
            number=F("number") + 1, listed_count=listed, changed_at=timezone.now()
        )


def _public_state(entry: HonourEntry) -> tuple:
    return (
        entry.listed,
        entry.display_name,
        entry.citation if entry.listed else "",
        entry.campaign_id,
        entry.category_id,
        entry.area_id,
    )


def _apply(
    entry: HonourEntry, facts: RollFacts, *, actor=None, before: tuple | None = None
) -> bool:
    """Bring one locked entry up to date; returns whether the public roll changed.

    `before` is what the public saw, when the caller has already changed the entry.
    """
    before = before or _public_state(entry)
    was_listed, was_status = entry.listed, entry.status
    fields = public_fields(
        facts=facts, citation=entry.citation, citation_approved=entry.citation_approved
    )
    changed = [name for name, value in fields.items() if getattr(entry, name) != value]
    for name in changed:
        setattr(entry, name, fields[name])
    if entry.listed and not was_listed:
        entry.listed_at = timezone.now()
        changed.append("listed_at")
    if changed:
        entry.refreshed_at = timezone.now()
        entry.save(update_fields=[*changed, "refreshed_at"])
    if entry.listed != was_listed:
        audit_log(
            actor=actor,
            action="honours.entry.listed" if entry.listed else "honours.entry.unlisted",
            obj=entry,
            data={"status": entry.status, "was": was_status},
        )
    return _public_state(entry) != before


def honour_entries_refresh(*, nominee_ids: Iterable[int], actor=None) -> int:
    """Bring these nominees' entries in step with their nominations and consent.

    Makes an entry for a nominee newly approved; keeps entries (and their
    citations) of nominees who are no longer approved or were merged, unlisted.
    Returns how many entries changed what the public sees.
    """
    nominee_ids = sorted(set(nominee_ids))
    if not nominee_ids:
        return 0
    with transaction.atomic():
        facts = roll_facts(nominee_ids)
        approved = [pk for pk, fact in facts.items() if fact.approved and not fact.merged]
        # ignore_conflicts: two changes to one nominee at once make one entry, not an error.
        HonourEntry.objects.bulk_create(
            [HonourEntry(nominee_id=pk) for pk in approved], ignore_conflicts=True
        )
        entries = HonourEntry.objects.select_for_update().filter(nominee_id__in=nominee_ids)
        changed = listed_change = 0
        for entry in entries.order_by("pk"):
            if entry.nominee_id in facts:
                was_listed = entry.listed
                changed += _apply(entry, facts[entry.nominee_id], actor=actor)
                listed_change += entry.listed - was_listed
        if changed:
            roll_version_bump(listed_change=listed_change)
    return changed


def honour_entries_rebuild(*, progress=None, batch_size: int = 500) -> int:
    """Refresh every approved nominee's entry and every existing entry (after an upgrade or import)."""
    from nominations.selectors import approved_nominees

    ids = set(approved_nominees().values_list("pk", flat=True))
    ids |= set(HonourEntry.objects.values_list("nominee_id", flat=True))
    ordered = sorted(ids)
    changed = 0
    for start in range(0, len(ordered), batch_size):
        changed += honour_entries_refresh(nominee_ids=ordered[start : start + batch_size])
        if progress:
            progress(min(start + batch_size, len(ordered)), len(ordered))
    with transaction.atomic():
        roll_recount()
    return changed


# --- Citations ----------------------------------------------------------------------------


def clean_citation(text: str) -> str:
    """One paragraph: runs of spaces and line breaks become single spaces."""
    return " ".join(text.split())


def _check_citation(entry: HonourEntry, text: str, facts: RollFacts, *, approving: bool) -> None:
    if not text:
        raise HonoursError("citation_required")
    if len(text) > CITATION_MAX_LENGTH:
        raise HonoursError("citation_too_long")
    written = {" ".join(search.search_words(words)) for words in nomination_words(entry)}
    if " ".join(search.search_words(text)) in written:
        raise HonoursError("citation_copied")
    if approving and facts.consent.answered:
        word = withheld_word_in(text, facts.nominee, facts.consent)
        if word:
            raise HonoursError(
                "citation_names_them",
                name=facts.nominee.name,
                shown=shown_name(facts.nominee, facts.consent) or NAME_WITHHELD,
                word=word,
            )


def nomination_words(entry: HonourEntry) -> list[str]:
    """The nominations as written, for staff writing the citation (never shown in public)."""
    return letter_facts(entry.nominee_id).nomination_words


def citation_save(
    *, entry: HonourEntry, text: str, actor, approve: bool = False, revision: int | None = None
) -> HonourEntry:
    """Save a citation, approved or for approval later. Changing the words needs a fresh approval."""
    text = clean_citation(text)
    with transaction.atomic():
        entry = HonourEntry.objects.select_for_update().get(pk=entry.pk)
        if revision is not None and revision != entry.revision:
            raise HonoursError("edited_meanwhile")
        before = _public_state(entry)
        facts = roll_facts([entry.nominee_id]).get(entry.nominee_id)
        if facts is None or not facts.approved or facts.merged:
            raise HonoursError("not_on_roll", field=None)
        _check_citation(entry, text, facts, approving=approve)
        now = timezone.now()
        update = []
        if text != entry.citation:
            audit_log(
                actor=actor,
                action="honours.citation.saved",
                obj=entry,
                data={"citation": {"before": entry.citation, "after": text}},
            )
            entry.citation = text
            entry.citation_updated_at, entry.citation_updated_by = now, actor
            entry.citation_approved_at, entry.citation_approved_by = None, None
            entry.revision += 1
            update += [
                "citation",
                "citation_updated_at",
                "citation_updated_by",
                "citation_approved_at",
                "citation_approved_by",
                "revision",
            ]
        if approve and entry.citation_approved_at is None:
            entry.citation_approved_at, entry.citation_approved_by = now, actor
            if "revision" not in update:
                entry.revision += 1
                update.append("revision")
            update += ["citation_approved_at", "citation_approved_by"]
            audit_log(
                actor=actor,
                action="honours.citation.approved",
                obj=entry,
                data={"citation": entry.citation},
            )
        if update:
            entry.save(update_fields=list(dict.fromkeys(update)))
        if _apply(entry, facts, actor=actor, before=before):
            roll_version_bump(listed_change=entry.listed - before[0])
    return entry


def citation_approval_withdraw(
    *, entry: HonourEntry, actor, revision: int | None = None
) -> HonourEntry:
    """Take the approval back: the name leaves the roll until the citation is approved again."""
    with transaction.atomic():
        entry = HonourEntry.objects.select_for_update().get(pk=entry.pk)
        if revision is not None and revision != entry.revision:
            raise HonoursError("edited_meanwhile", field=None)
        if entry.citation_approved_at is None:
            raise HonoursError("nothing_to_withdraw", field=None)
        before = _public_state(entry)
        entry.citation_approved_at, entry.citation_approved_by = None, None
        entry.revision += 1
        entry.save(update_fields=["citation_approved_at", "citation_approved_by", "revision"])
        audit_log(actor=actor, action="honours.citation.approval_withdrawn", obj=entry)
        facts = roll_facts([entry.nominee_id]).get(entry.nominee_id)
        if facts is not None and _apply(entry, facts, actor=actor, before=before):
            roll_version_bump(listed_change=entry.listed - before[0])
    return entry
