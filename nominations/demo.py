"""Demo data for nominations: a campaign open now, nominations in every state,
a likely duplicate to merge, and consent of every kind. Loaded by `load_demo`."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from council.models import Area
from nominations import services
from nominations.models import Campaign, Category, ConsentLink, Nomination

CAMPAIGN_SLUG = "proud-to-support-2026"

PEOPLE = [
    # name, kind, category, ward code, email, postcode, reason, what happens to it
    (
        "Maureen Clarke",
        "person",
        "Good neighbour",
        "E05099908",
        "maureen.clarke@example.net",
        "NE34 6AB",
        "Maureen has done the shopping for six housebound neighbours on our street every week for two years, and checks on each of them every morning.",
        "approved-consented",
    ),
    (
        "Maureen Clark",
        "person",
        "Good neighbour",
        "E05099908",
        "",
        "NE34 6AB",
        "Mrs Clark from number 12 collects prescriptions for half the street and never asks for anything back.",
        "submitted-duplicate",
    ),
    (
        "Dr Amir Haddad",
        "person",
        "Key worker",
        "E05099916",
        "amir.haddad@example.net",
        "",
        "Dr Haddad ran the vaccination clinic at the leisure centre seven days a week and still found time to phone every patient who missed an appointment.",
        "approved",
    ),
    (
        "Priya Shah",
        "young_person",
        "Young hero",
        "E05099913",
        "",
        "NE32 5QR",
        "Priya, who is 15, organised a sponsored walk that raised £2,400 for the food bank and recruited twenty classmates to help sort donations.",
        "approved-young",
    ),
    (
        "Westoe Road Bakery",
        "business",
        "Business that went the extra mile",
        "E05099916",
        "hello@westoe-bakery.example.net",
        "NE33 4LR",
        "The bakery gave free bread to the community pantry every evening and delivered to people shielding at home without charging.",
        "submitted",
    ),
    (
        "Cleadon Park Litter Pickers",
        "group",
        "Community group",
        "E05099906",
        "",
        "",
        "A group of neighbours who meet every Saturday to clear the park, the beach path and the bus stops, rain or shine.",
        "submitted",
    ),
    (
        "Tom Fletcher",
        "person",
        "Key worker",
        "E05099901",
        "tom.fletcher@example.net",
        "",
        "Tom drove the community minibus for the lunch club every day during the lockdowns.",
        "rejected",
    ),
    (
        "Margaret O'Neill",
        "person",
        "Good neighbour",
        "E05099911",
        "",
        "NE34 7QR",
        "Margaret has run the lunch club at Horsley Hill for thirty years and still bakes for it every Friday.",
        "approved",
    ),
    (
        "Gary Nolan",
        "person",
        "Good neighbour",
        "E05099914",
        "",
        "NE33 1JJ",
        "Gary cleared snow from every path on our estate in February, at six in the morning, before anyone else was up.",
        "unconfirmed",
    ),
]


def load(stdout=None) -> None:
    if Campaign.objects.filter(slug=CAMPAIGN_SLUG).exists():
        return
    now = timezone.now()
    campaign = Campaign.objects.create(
        name="Proud to Support 2026",
        slug=CAMPAIGN_SLUG,
        intro="Every day, people across the borough quietly help their neighbours. Tell us about someone who made a difference to you, so that the Mayor can thank them.",
        thank_you_text="Thank you for taking the time to tell us about someone special. Stories like this are why we are proud of our borough.",
        opens_at=now - timedelta(days=60),
        closes_at=now + timedelta(days=120),
    )
    categories = {}
    for position, (name, description) in enumerate(
        [
            ("Good neighbour", "Someone who looks out for the people around them."),
            ("Key worker", "Someone whose work kept us all going."),
            ("Young hero", "A young person under 18 who made a difference."),
            ("Business that went the extra mile", "A local business that helped its community."),
            ("Community group", "A group, club or charity that helped others."),
        ]
    ):
        categories[name] = Category.objects.create(
            campaign=campaign, name=name, description=description, position=position
        )

    comms = get_user_model().objects.filter(email="comms@example.org").first()
    for name, kind, category, ward, email, postcode, reason, outcome in PEOPLE:
        methods = (["email"] if email else []) + (["post"] if postcode else []) or ["employer"]
        answers = {
            "nominee_kind": kind,
            "category": categories[category],
            "nominee_name": name,
            "contact_methods": methods,
            "nominee_email": email,
            "address_line_1": "1 Demo Street" if postcode else "",
            "town": "South Riverside" if postcode else "",
            "postcode": postcode,
            "employer": "" if email or postcode else "South Riverside Community Centre",
            "area": Area.objects.filter(code=ward).first(),
            "reason": reason,
            "nominator_name": "Jo Resident",
            "nominator_email": "jo.resident@example.net",
            "nominator_relationship": "Neighbour",
            "guardian_name": "Anita Shah" if kind == "young_person" else "",
            "guardian_email": "anita.shah@example.net" if kind == "young_person" else "",
        }
        if outcome == "unconfirmed":
            services.nomination_submit(campaign=campaign, answers=answers)
            continue
        nomination = services.nomination_submit(
            campaign=campaign, answers=answers, source=Nomination.Source.STAFF, actor=comms
        )
        if outcome.startswith("approved"):
            services.nomination_approve(nomination=nomination, actor=comms)
        elif outcome == "rejected":
            services.nomination_reject(
                nomination=nomination,
                actor=comms,
                reason="Nominated twice by mistake; see the other nomination.",
            )
        if outcome == "approved-consented":
            link = nomination.nominee.consent_links.get(role=ConsentLink.Role.NOMINEE)
            services.consent_record(
                link=link,
                answers={
                    "channels": ["roll_of_honour", "website_story", "social_media", "press"],
                    "name_display": "full",
                    "photo_allowed": "yes",
                },
            )
        if outcome == "approved-young":
            for link in nomination.nominee.consent_links.all():
                services.consent_record(
                    link=link,
                    answers={
                        "channels": ["roll_of_honour", "website_story"],
                        "name_display": "first_initial",
                        "photo_allowed": "no",
                    },
                )
    if stdout:
        stdout.write(f"Demo campaign {campaign.name} with {len(PEOPLE)} nominations.")
