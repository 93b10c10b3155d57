"""Many listed names at once, for the demo and the benchmark (not for real records).

Each generated hero is what the services would have made for a nominee who
was nominated, approved, said yes to the roll of honour and was thanked: the
nominee, one approved staff-entered nomination, their consent (a parent or
guardian's too for a young person), the Mayor's letter already posted, and an
entry with an approved citation. The rows are bulk-created, without a
transaction, an audit row or an email per person, so that 100,000 take a minute
rather than hours; which is why this lives apart from the services and is used
only by `load_demo` and `manage.py honours_generate`.

The entry's public fields come from the same rule as every other entry
(`services.public_fields`), with the consent these rows record.
"""

import random
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from council.models import Area
from council.outgoing import OutgoingWork
from nominations.models import (
    Campaign,
    ConsentLink,
    ConsentRecord,
    NameDisplay,
    Nomination,
    Nominee,
    NomineeKind,
)
from nominations.selectors import Consent, RollFacts
from recognition.honours import services
from recognition.honours.models import HonourEntry
from recognition.models import Letter

# Generated nominations have references R0000001, R0000002…: the public journey's start with N.
REFERENCE_PREFIX = "R"
WORDING_VERSION = "generated"

FIRST_NAMES = [
    "Maureen",
    "Arthur",
    "Aisha",
    "Tomasz",
    "Priya",
    "Declan",
    "Ngozi",
    "Wei",
    "Fatima",
    "Gareth",
    "Siobhan",
    "Kwame",
    "Zofia",
    "Harjit",
    "Eleanor",
    "Callum",
    "Yusuf",
    "Bronwen",
    "Oluwaseun",
    "Layla",
    "Stanley",
    "Mei",
    "Imran",
    "Doreen",
    "Ruth",
    "Kieran",
    "Amara",
    "Joseph",
    "Hannah",
    "Patrick",
    "Shirley",
    "Mohammed",
    "Grace",
    "Dennis",
    "Sinead",
    "Ravi",
    "Beatrice",
    "Connor",
    "Joan",
    "Ahmed",
    "Olive",
    "Samir",
    "Brenda",
    "Lewis",
    "Agnieszka",
    "Keith",
    "Zainab",
    "Norman",
    "Chloe",
    "Ibrahim",
    "Pauline",
    "Ewan",
    "Nadia",
    "Trevor",
    "Margaret",
    "Oscar",
    "Rukhsana",
    "Vincent",
    "Sylvia",
]
SURNAMES = [
    "Clarke",
    "Okafor",
    "Patel",
    "Kowalski",
    "Hussain",
    "Fenwick",
    "Nguyen",
    "McGrath",
    "Rutherford",
    "Begum",
    "Mensah",
    "Teasdale",
    "Singh",
    "Chen",
    "Ahmed",
    "Liddell",
    "O'Connor",
    "Zielinski",
    "Hindmarsh",
    "Abiodun",
    "Kaur",
    "Dobson",
    "Charlton",
    "Robson",
    "Milburn",
    "Hedley",
    "Armstrong",
    "Nowak",
    "Rahman",
    "Forster",
    "Elliott",
    "Dodds",
    "Scott",
    "Pearson",
    "Bell",
    "Wilkinson",
    "Graham",
    "Shah",
    "Murray",
    "Heron",
    "Brennan",
    "Appleby",
    "Osei",
    "Wood",
    "Taylor",
    "Kerr",
    "Laidler",
    "Jamieson",
    "Hall",
    "Purvis",
    "Watson",
    "Mahmood",
    "Carr",
    "Younger",
    "Stephenson",
    "Tait",
    "Gibson",
]
GROUPS = [
    "Friends of {place} Park",
    "{place} Litter Pickers",
    "{place} Lunch Club",
    "{place} Community Pantry",
    "{place} Youth Football Club",
    "{place} Knit and Natter",
    "{place} Men's Shed",
    "{place} Tenants' Association",
]
PLACES = [
    "Westoe",
    "Cleadon",
    "Harton",
    "Biddick",
    "Simonside",
    "Horsley",
    "Hill",
    "Whiteleas",
    "Boldon",
    "Marsden",
    "Tyne",
    "Dock",
]

DEEDS = [
    "does the shopping for housebound neighbours every week",
    "runs the Saturday litter pick along the seafront",
    "drove patients to hospital appointments through the winter",
    "coaches the under-11s football team, rain or shine",
    "cooked hot meals for families at the community centre",
    "set up a phone tree so no one on the estate went a day without a call",
    "repaired bikes for free for children on the estate",
    "kept the food bank open through the holidays",
    "visits lonely older people in the care home every Sunday",
    "taught adults to read at the library",
    "cleared snow from every path on the street before dawn",
    "organised a sponsored walk that raised thousands for the hospice",
    "planted and tends the community garden by the station",
    "volunteers as a first responder at community events",
    "helped refugee families settle in and find school places",
    "runs a free homework club for teenagers",
    "fixed up the allotments so schools could grow vegetables",
    "sang and played music for patients on the dementia ward",
    "mended and handed out winter coats to anyone in need",
    "looked after the neighbours' pets while they were in hospital",
]
CITATIONS = [
    "For kindness that never asks for thanks: this neighbour {deed}.",
    "Thanked by the whole street, because this hero {deed}.",
    "A quiet hero who {deed}, and made the borough a better place.",
    "Nominated by neighbours who say this person {deed}.",
    "Proud to support our community: this hero {deed}.",
    "With gratitude to a neighbour who {deed}.",
]
REASONS = [
    "{first} {deed}. Nobody asked them to and they never stop. We would be lost without them.",
    "I want to nominate {first} because they {deed}, and they do it with a smile every time.",
    "Everyone round here knows {first}: they {deed}. Please thank them from all of us.",
]


def _nominee_name(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.06:
        return NomineeKind.GROUP, rng.choice(GROUPS).format(place=rng.choice(PLACES))
    if roll < 0.09:
        return NomineeKind.YOUNG_PERSON, f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    return NomineeKind.PERSON, f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _name_display(rng: random.Random, kind: str) -> str:
    if kind == NomineeKind.YOUNG_PERSON:
        return NameDisplay.FIRST_AND_INITIAL
    roll = rng.random()
    if roll < 0.75 or kind == NomineeKind.GROUP:
        return NameDisplay.FULL
    return NameDisplay.FIRST_AND_INITIAL if roll < 0.92 else NameDisplay.ANONYMOUS


def _next_number() -> int:
    latest = Nomination.objects.filter(reference__startswith=REFERENCE_PREFIX).aggregate(
        latest=Max("reference")
    )["latest"]
    return int(latest[len(REFERENCE_PREFIX) :]) + 1 if latest else 1


def generated_count(campaign: Campaign | None = None) -> int:
    queryset = Nomination.objects.filter(reference__startswith=REFERENCE_PREFIX)
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    return queryset.count()


def generate_heroes(
    *,
    campaign: Campaign,
    count: int,
    seed: int = 2026,
    batch_size: int = 2000,
    approver=None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add `count` listed heroes to `campaign`'s categories, spread over the active wards."""
    categories = list(campaign.categories.all())
    wards = list(Area.objects.filter(active=True))
    if not categories:
        raise ValueError(f"The campaign {campaign.name} has no categories.")
    rng = random.Random(f"{seed}:{_next_number()}")  # noqa: S311  (made-up names, not secrets)
    number = _next_number()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        with transaction.atomic():
            listed = _batch(rng, number + made, size, campaign, categories, wards, approver)
            services.roll_version_bump(listed_change=listed)
        made += size
        if progress:
            progress(made, count)
    return made


def _batch(rng, first_number, size, campaign, categories, wards, approver) -> int:
    now = timezone.now()
    plans = []
    for offset in range(size):
        kind, name = _nominee_name(rng)
        deed = rng.choice(DEEDS)
        plans.append(
            {
                "number": first_number + offset,
                "kind": kind,
                "name": name,
                "area": rng.choice(wards) if wards and rng.random() > 0.04 else None,
                "category": rng.choice(categories),
                "display": _name_display(rng, kind),
                "deed": deed,
                "citation": rng.choice(CITATIONS).format(deed=deed)[:300],
                "reason": rng.choice(REASONS).format(first=name.split()[0], deed=deed),
            }
        )
    nominees = Nominee.objects.bulk_create(
        [
            Nominee(
                kind=plan["kind"],
                name=plan["name"],
                normalised_name=plan["name"].lower()[:150],
                address_line_1=f"{plan['number'] % 200 + 1} Demo Street",
                town="South Riverside",
                postcode=f"NE3{plan['number'] % 10} {plan['number'] % 9 + 1}AA",
                area=plan["area"],
                guardian_name="A Guardian" if plan["kind"] == NomineeKind.YOUNG_PERSON else "",
                created_at=now,
            )
            for plan in plans
        ]
    )
    Nomination.objects.bulk_create(
        [
            Nomination(
                reference=f"{REFERENCE_PREFIX}{plan['number']:07d}",
                campaign=campaign,
                category=plan["category"],
                nominee=nominee,
                status=Nomination.Status.APPROVED,
                source=Nomination.Source.STAFF,
                nominee_kind=plan["kind"],
                nominee_name=plan["name"],
                contact_methods=["post"],
                address_line_1=nominee.address_line_1,
                town=nominee.town,
                postcode=nominee.postcode,
                area=plan["area"],
                reason=plan["reason"],
                nominator_name="A neighbour",
                nominator_email="neighbour@example.net",
                nominator_relationship="Neighbour",
                created_at=now,
                confirmed_at=now,
                decided_at=now,
                decided_by=approver,
            )
            for plan, nominee in zip(plans, nominees, strict=True)
        ]
    )
    records = []
    for plan, nominee in zip(plans, nominees, strict=True):
        roles = [ConsentLink.Role.NOMINEE]
        if plan["kind"] == NomineeKind.YOUNG_PERSON:
            roles.append(ConsentLink.Role.GUARDIAN)
        records += [
            ConsentRecord(
                nominee=nominee,
                given_by=role,
                wording_version=WORDING_VERSION,
                roll_of_honour=True,
                website_story=True,
                name_display=plan["display"],
                created_at=now,
            )
            for role in roles
        ]
    ConsentRecord.objects.bulk_create(records)
    Letter.objects.bulk_create(
        [
            Letter(
                nominee=nominee,
                route=Letter.Route.POST,
                stage=Letter.Stage.POSTED,
                status=OutgoingWork.Status.SENT,
                released_at=now,
                sent_at=now,
            )
            for nominee in nominees
        ]
    )
    entries = []
    for plan, nominee in zip(plans, nominees, strict=True):
        # The consent the rows above record, as nominations.selectors.nominee_consent reads it.
        consent = Consent(
            roll_of_honour=True, website_story=True, name_display=plan["display"], answered=True
        )
        facts = RollFacts(
            nominee=nominee,
            merged=False,
            approved=True,
            campaign_id=campaign.pk,
            category_id=plan["category"].pk,
            area_id=plan["area"].pk if plan["area"] else None,
            consent=consent,
        )
        fields = services.public_fields(
            facts=facts, citation=plan["citation"], citation_approved=True
        )
        entries.append(
            HonourEntry(
                nominee=nominee,
                citation=plan["citation"],
                citation_updated_at=now,
                citation_updated_by=approver,
                citation_approved_at=now,
                citation_approved_by=approver,
                revision=1,
                listed_at=now if fields["listed"] else None,
                **fields,
            )
        )
    HonourEntry.objects.bulk_create(entries)
    return sum(entry.listed for entry in entries)
