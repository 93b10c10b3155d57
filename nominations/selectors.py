"""Reads that carry rules: the review queue, history, and what consent allows.

Other apps read consent only through `nominee_consent`, so a withdrawal
takes effect everywhere at once.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from council.models import AuditLogEntry
from nominations.models import (
    ConsentLink,
    ConsentRecord,
    NameDisplay,
    Nomination,
    NominationReceipt,
    Nominee,
)

CAMPAIGN_CACHE_KEY = "nominations:current-campaign:v1"


def campaign_current():
    """The campaign taking nominations now (or the latest one), cached for a minute.

    campaign_save clears the cache; opening and closing are decided by the
    campaign's own dates on every request, so a cached campaign closes on time.
    """
    from nominations.models import Campaign

    campaign = cache.get(CAMPAIGN_CACHE_KEY)
    if campaign is None:
        # With its categories, which the journey's questions and submission read.
        campaigns = Campaign.objects.prefetch_related("categories")
        campaign = (
            campaigns.open_now().order_by("closes_at").first()
            or campaigns.order_by("-closes_at").first()
            or False
        )
        cache.set(CAMPAIGN_CACHE_KEY, campaign, 60)
    if campaign and not campaign.is_open() and Campaign.objects.open_now().exists():
        # One campaign just closed and another is open: look again.
        cache.delete(CAMPAIGN_CACHE_KEY)
        return campaign_current()
    return campaign or None


def review_queue(*, filters: dict, search: str = "") -> QuerySet[Nomination]:
    """Nominations for staff to review, oldest first."""
    queryset = Nomination.objects.in_review_queue().select_related(
        "campaign", "category", "area", "nominee", "assigned_to"
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("campaign"):
        queryset = queryset.filter(campaign=filters["campaign"])
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("area"):
        queryset = queryset.filter(area=filters["area"])
    if filters.get("under_18"):
        queryset = queryset.filter(nominee_kind="young_person")
    if filters.get("has_photo"):
        queryset = queryset.exclude(photo="")
    if filters.get("assigned_to"):
        queryset = queryset.filter(assigned_to=filters["assigned_to"])
    if search:
        queryset = queryset.filter(
            Q(reference__iexact=search)
            | Q(nominee_name__icontains=search)
            | Q(nominator_name__icontains=search)
            | Q(reason__icontains=search)
        )
    return queryset.order_by("created_at", "pk")


def nomination_history(nomination: Nomination) -> QuerySet[AuditLogEntry]:
    """Every recorded change to the nomination and to its nominee, oldest first."""
    nomination_type = ContentType.objects.get_for_model(Nomination)
    nominee_type = ContentType.objects.get_for_model(Nominee)
    return AuditLogEntry.objects.filter(
        Q(content_type=nomination_type, object_id=str(nomination.pk))
        | Q(content_type=nominee_type, object_id=str(nomination.nominee_id))
    ).order_by("created_at", "pk")


@dataclass(frozen=True)
class Consent:
    """What a nominee (with a guardian, for an under-18) has agreed to, right now."""

    roll_of_honour: bool = False
    website_story: bool = False
    social_media: bool = False
    press: bool = False
    name_display: str = NameDisplay.ANONYMOUS
    photo_allowed: bool = False
    answered: bool = False
    # Why there is no consent, when there is none: everything was withdrawn, or an
    # under-18's parent or guardian has not answered (or withdrew).
    withdrawn: bool = False
    waiting_for_guardian: bool = False

    def display_name(self, nominee: Nominee) -> str | None:
        if self.name_display == NameDisplay.FULL:
            return nominee.name
        if self.name_display == NameDisplay.FIRST_AND_INITIAL:
            parts = nominee.name.split()
            return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."
        return None


NO_CONSENT = Consent()
WITHDRAWN = Consent(withdrawn=True)
NO_GUARDIAN_CONSENT = Consent(waiting_for_guardian=True)


def _latest(nominee: Nominee, role: str) -> ConsentRecord | None:
    return (
        ConsentRecord.objects.filter(nominee=nominee, given_by=role)
        .order_by("-created_at", "-pk")
        .first()
    )


def consent_answer_of(nominee: Nominee, role: str) -> ConsentRecord | None:
    """The newest answer one person gave (the nominee, or for an under-18 a guardian), if any.

    Their own answer, not the consent in force: for an under-18 that is what
    both allow, and a form filled in with it would put one person's limits in
    the other's answer when saved again.
    """
    return _latest(nominee, role)


def nominee_consent(nominee: Nominee) -> Consent:
    """The consent in force: for an under-18, only what both the young person and a guardian allow."""
    own = _latest(nominee, ConsentLink.Role.NOMINEE)
    if own is None:
        return NO_CONSENT
    guardian = _latest(nominee, ConsentLink.Role.GUARDIAN) if nominee.is_under_18 else None
    return _consent_from(nominee, own, guardian)


def nominees_consent(nominees) -> dict[int, Consent]:
    """nominee_consent for many nominees at once, in one query: nominee id → consent in force."""
    nominees = list(nominees)
    latest: dict[tuple[int, str], ConsentRecord] = {}
    records = ConsentRecord.objects.filter(nominee__in=[n.pk for n in nominees]).order_by(
        "-created_at", "-pk"
    )
    for record in records:
        latest.setdefault((record.nominee_id, record.given_by), record)
    return {
        nominee.pk: _consent_from(
            nominee,
            latest.get((nominee.pk, ConsentLink.Role.NOMINEE)),
            latest.get((nominee.pk, ConsentLink.Role.GUARDIAN)),
        )
        for nominee in nominees
    }


def _consent_from(
    nominee: Nominee, own: ConsentRecord | None, guardian: ConsentRecord | None
) -> Consent:
    """What the nominee's latest answer (and, for an under-18, a guardian's) allows together."""
    if own is None:
        return NO_CONSENT
    if own.withdrawn:
        return WITHDRAWN
    records = [own]
    if nominee.is_under_18:
        if guardian is None or guardian.withdrawn:
            return NO_GUARDIAN_CONSENT
        records.append(guardian)
    order = [NameDisplay.ANONYMOUS, NameDisplay.FIRST_AND_INITIAL, NameDisplay.FULL]
    return Consent(
        roll_of_honour=all(r.roll_of_honour for r in records),
        website_story=all(r.website_story for r in records),
        social_media=all(r.social_media for r in records) and not nominee.has_died,
        press=all(r.press for r in records),
        name_display=min((r.name_display for r in records), key=order.index),
        photo_allowed=all(r.photo_allowed for r in records),
        answered=True,
    )


@dataclass(frozen=True)
class LetterFacts:
    """What the Mayor's letter needs to know about a nominee, whatever their consent."""

    nominee_id: int
    kind: str
    name: str
    first_name: str
    under_18: bool
    has_died: bool
    categories: list[str]
    campaign: str
    nomination_words: list[str]
    ward: str
    email: str
    guardian_name: str
    guardian_email: str
    address: list[str]
    employer: str
    # For a nominee who has died: the family the letter is written to.
    family_name: str = ""
    family_email: str = ""
    family_address: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PostedConsentCode:
    """A consent code that could not be emailed, to be printed with the letter."""

    role: str  # ConsentLink.Role
    code: str
    expires_at: object  # datetime


@dataclass(frozen=True)
class ConsentLinkState:
    """One current consent link, as staff see it when someone phones about it."""

    role: str  # ConsentLink.Role
    emailed_to: str  # "" when it goes by post, its code printed with the letter
    # With no email: whether there is an address for the letter (and its code) at all.
    by_post: bool
    code: str
    expires_at: object  # datetime
    answer: ConsentRecord | None  # the newest answer given with this person's links


def consent_links_for_staff(nominee: Nominee) -> list[ConsentLinkState]:
    """The nominee's current consent links (a guardian's too, for an under-18), with who has answered."""
    from nominations.services import consent_link_email

    links = ConsentLink.objects.filter(
        nominee=nominee, superseded_at__isnull=True, expires_at__gt=timezone.now()
    )
    return [
        ConsentLinkState(
            role=link.role,
            emailed_to=consent_link_email(nominee, link),
            by_post=bool(
                (nominee.address_line_1 and nominee.postcode)
                or (nominee.has_died and nominee.family_address_line_1 and nominee.family_postcode)
            ),
            code=link.short_code,
            expires_at=link.expires_at,
            answer=consent_answer_of(nominee, link.role),
        )
        for link in sorted(links, key=lambda link: link.role != ConsentLink.Role.NOMINEE)
    ]


def consent_codes_by_post(nominee_id: int) -> list[PostedConsentCode]:
    """The current consent codes of a nominee that no email could carry and nobody has used yet.

    They go with the posted letter, to be typed in at /consent/. A code already
    answered, retired by a newer one or out of date is left out.
    """
    from nominations.services import consent_link_email

    now = timezone.now()
    answered = set(
        ConsentRecord.objects.filter(nominee_id=nominee_id).values_list("link_id", flat=True)
    )
    links = ConsentLink.objects.filter(
        nominee_id=nominee_id, superseded_at__isnull=True, expires_at__gt=now
    ).select_related("nominee")
    return [
        PostedConsentCode(role=link.role, code=link.short_code, expires_at=link.expires_at)
        for link in sorted(links, key=lambda link: link.role != ConsentLink.Role.NOMINEE)
        if link.pk not in answered and not consent_link_email(link.nominee, link)
    ]


def letter_facts(nominee_id: int) -> LetterFacts:
    """The facts for one nominee's letter, from all their approved nominations."""
    return letters_facts([nominee_id])[nominee_id]


def letters_facts(nominee_ids) -> dict[int, LetterFacts]:
    """The facts for many nominees' letters in two queries, by nominee id (a print batch's)."""
    from django.db.models import Prefetch

    approved = (
        Nomination.objects.filter(status=Nomination.Status.APPROVED)
        .select_related("category", "campaign")
        .order_by("created_at")
    )
    nominees = (
        Nominee.objects.select_related("area")
        .filter(pk__in=list(nominee_ids))
        .prefetch_related(Prefetch("nominations", queryset=approved, to_attr="approved"))
    )
    facts = {nominee.pk: _letter_facts(nominee, nominee.approved) for nominee in nominees}
    missing = set(nominee_ids) - set(facts)
    if missing:
        raise Nominee.DoesNotExist(f"No nominee {sorted(missing)}")
    return facts


def _letter_facts(nominee: Nominee, approved: list[Nomination]) -> LetterFacts:
    person = nominee.kind in ("person", "young_person")
    return LetterFacts(
        nominee_id=nominee.pk,
        kind=nominee.kind,
        name=nominee.name,
        first_name=nominee.name.split()[0] if person and nominee.name.split() else nominee.name,
        under_18=nominee.is_under_18,
        has_died=nominee.has_died,
        categories=list(dict.fromkeys(n.category.name for n in approved)),
        campaign=approved[0].campaign.name if approved else "",
        nomination_words=[n.reason for n in approved],
        ward=nominee.area.name if nominee.area else "",
        email=nominee.email,
        guardian_name=nominee.guardian_name,
        guardian_email=nominee.guardian_email,
        address=nominee.postal_address,
        employer=nominee.employer,
        family_name=nominee.family_name,
        family_email=nominee.family_email,
        family_address=nominee.family_postal_address,
    )


def approved_nominees() -> QuerySet[Nominee]:
    """Nominees with an approved nomination, not merged into another: the ones the Mayor writes to."""
    return Nominee.objects.filter(
        nominations__status=Nomination.Status.APPROVED, merged_into__isnull=True
    ).distinct()


def nominations_for_stories(*, search: str = "") -> QuerySet[Nomination]:
    """Approved nominations a story may be written from, newest first, by name, reference or words."""
    queryset = Nomination.objects.filter(status=Nomination.Status.APPROVED).select_related(
        "nominee", "category", "area", "campaign"
    )
    if search:
        queryset = queryset.filter(
            Q(reference__iexact=search)
            | Q(nominee_name__icontains=search)
            | Q(nominee__name__icontains=search)
            | Q(reason__icontains=search)
        )
    return queryset.order_by("-created_at", "-pk")


def nominees_for_letters(*, search: str = "", limit: int = 50) -> QuerySet[Nominee]:
    """Approved nominees to pick from, by name."""
    queryset = approved_nominees()
    # Phones and Macs type a curly apostrophe; names are kept with a straight one.
    search = search.replace("’", "'").replace("‘", "'").strip()
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset.select_related("area").order_by("name")[:limit]


def nominees_to_choose(
    *, search: str = "", limit: int = 200, also=()
) -> tuple[list[Nominee], bool]:
    """The approved nominees a list offers (by name, up to `limit`) and whether there are more.

    `also` names nominees that must be offered whether or not the search or the
    limit takes them in (one a link asks for, ones already on the page).
    """
    found = list(nominees_for_letters(search=search, limit=limit + 1))
    listed = found[:limit]
    missing = {int(pk) for pk in also if str(pk).isdigit()} - {nominee.pk for nominee in listed}
    if missing:
        listed += list(approved_nominees().filter(pk__in=missing).select_related("area"))
    return listed, len(found) > limit


def nominee_from_link(token: str) -> Nominee | None:
    """The nominee a current consent link belongs to, or None: the key to their own page."""
    from nominations.services import NominationError, consent_link_from_token

    try:
        return consent_link_from_token(token).nominee
    except NominationError:
        return None


@dataclass(frozen=True)
class RollFacts:
    """What the roll of honour needs to know about a nominee, from their approved nominations."""

    nominee: Nominee
    merged: bool
    approved: bool
    campaign_id: int | None
    category_id: int | None
    area_id: int | None
    consent: Consent


def roll_facts(nominee_ids) -> dict[int, RollFacts]:
    """For each nominee that exists: merged or not, the latest approved nomination's campaign,
    category and ward, and the consent in force. Nominees that no longer exist are left out."""
    nominees = Nominee.objects.in_bulk(list(nominee_ids))
    latest: dict[int, Nomination] = {}
    for nomination in Nomination.objects.filter(
        nominee_id__in=nominees, status=Nomination.Status.APPROVED
    ).order_by("campaign__opens_at", "created_at", "pk"):
        latest[nomination.nominee_id] = nomination
    consents = nominees_consent(nominees.values())
    facts = {}
    for pk, nominee in nominees.items():
        nomination = latest.get(pk)
        facts[pk] = RollFacts(
            nominee=nominee,
            merged=nominee.merged_into_id is not None,
            approved=nomination is not None,
            campaign_id=nomination.campaign_id if nomination else None,
            category_id=nomination.category_id if nomination else None,
            area_id=nominee.area_id or (nomination.area_id if nomination else None),
            consent=consents[pk],
        )
    return facts


def campaigns_with_categories() -> list:
    """Every campaign, newest first, with its categories fetched: for filters on public pages."""
    from nominations.models import Campaign

    return list(Campaign.objects.prefetch_related("categories").order_by("-opens_at"))


# Longer than this unfiled, a receipt means the worker is not running (it files every 5 s).
RECEIPT_OVERDUE_AFTER = timedelta(minutes=2)
RECEIPTS_LISTED = 50


@dataclass(frozen=True)
class WaitingReceipt:
    """A nomination sent on the form and not filed yet, as staff may need to find it."""

    reference: str
    received_at: datetime
    nominee_name: str
    nominator_email: str
    failing: bool


@dataclass(frozen=True)
class ReceiptsOverdue:
    count: int
    failing: int
    listed: list[WaitingReceipt]


def _waiting(receipt: NominationReceipt) -> WaitingReceipt:
    return WaitingReceipt(
        reference=receipt.reference,
        received_at=receipt.received_at,
        nominee_name=receipt.nominee_name,
        nominator_email=receipt.nominator_email,
        failing=receipt.attempts > 0,
    )


def receipts_overdue(*, now=None) -> ReceiptsOverdue:
    """Nominations sent on the form that the worker has not filed in time, or could not file."""
    now = now or timezone.now()
    waiting = NominationReceipt.objects.filter(filed_at__isnull=True).filter(
        Q(received_at__lt=now - RECEIPT_OVERDUE_AFTER) | Q(attempts__gt=0)
    )
    listed = [_waiting(receipt) for receipt in waiting.order_by("received_at")[:RECEIPTS_LISTED]]
    if len(listed) < RECEIPTS_LISTED:
        count, failing = len(listed), sum(row.failing for row in listed)
    else:
        count, failing = waiting.count(), waiting.filter(attempts__gt=0).count()
    return ReceiptsOverdue(count=count, failing=failing, listed=listed)


def receipt_waiting(reference: str) -> WaitingReceipt | None:
    """The nomination sent on the form under this reference, if it is not filed yet."""
    receipt = NominationReceipt.objects.filter(
        reference=reference.strip().upper(), filed_at__isnull=True
    ).first()
    return _waiting(receipt) if receipt else None
