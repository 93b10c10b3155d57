"""Published stories for the public-side tests, written from nominations whose consent was
recorded the way nominees record it: through the nominations services.

    nomination = approved_nomination(name="Maureen Clarke")        # consents to everything
    story = StoryFactory(nominations=[nomination], tags=["Young people"])
    StoryFactory(nominations=[nomination], with_image=True)
"""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from nominations import services as nominations
from nominations.models import ConsentLink, Nomination
from recognition.stories import html
from recognition.stories.models import Story, Tag
from tests.council.factories import AreaFactory, StaffFactory
from tests.nominations.factories import CampaignFactory, CategoryFactory
from tests.nominations.images import jpeg_bytes

# What a nominee who agrees to everything answers on their consent page.
EVERYTHING = {
    "channels": ["roll_of_honour", "website_story", "social_media", "press"],
    "name_display": "full",
    "photo_allowed": "yes",
}
NOT_THE_PRESS = {**EVERYTHING, "channels": ["roll_of_honour", "website_story", "social_media"]}
WITHDRAW = {"withdraw": True, "channels": [], "name_display": "anonymous"}


def consent_link(nominee, role: str = "nominee") -> ConsentLink:
    """The nominee's (or guardian's) current consent link."""
    return (
        ConsentLink.objects.filter(nominee=nominee, role=role, superseded_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def record_consent(nominee, answers: dict, *, role: str = "nominee"):
    """Answer the consent page for the nominee (or their guardian), through the service."""
    return nominations.consent_record(link=consent_link(nominee, role), answers=answers)


def approved_nomination(
    *,
    name: str = "Maureen Clarke",
    consent: dict | None = EVERYTHING,
    young: bool = False,
    guardian_consent: dict | None = None,
    campaign=None,
    area=None,
) -> Nomination:
    """An approved nomination whose nominee answered `consent` (None: not answered yet).

    young=True makes the nominee under 18, with a guardian who answers `guardian_consent`.
    """
    campaign = campaign or CampaignFactory()
    category = campaign.categories.first() or CategoryFactory(campaign=campaign)
    answers = {
        "nominee_kind": "young_person" if young else "person",
        "category": category,
        "nominee_name": name,
        "contact_methods": ["email"],
        "nominee_email": f"{slugify(name)}@example.net",
        "area": area or AreaFactory(),
        "reason": f"{name} does the shopping for six housebound neighbours every week.",
        "nominator_name": "Jo Resident",
        "nominator_email": "jo@example.net",
        "nominator_relationship": "Neighbour",
    }
    if young:
        answers |= {"guardian_name": "Pat Guardian", "guardian_email": "pat@example.net"}
    nomination = nominations.nomination_submit(
        campaign=campaign, answers=answers, source=Nomination.Source.STAFF
    )
    nominations.nomination_approve(nomination=nomination, actor=None)
    nomination.refresh_from_db()
    if consent is not None:
        record_consent(nomination.nominee, consent)
    if young and guardian_consent is not None:
        record_consent(nomination.nominee, guardian_consent, role="guardian")
    return nomination


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Subject {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name))


class StoryFactory(factory.django.DjangoModelFactory):
    """A published story; pass nominations=[...] (the people in it) and tags=["Name", ...]."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    class Params:
        with_image = factory.Trait(
            hero_image=factory.django.FileField(
                filename="hero.jpg", data=factory.LazyFunction(lambda: jpeg_bytes((120, 80)))
            ),
            hero_image_alt="Maureen at her front door with bags of shopping",
            image_credit="Photo: Sam Lens",
        )

    title = factory.Sequence(lambda n: f"The good neighbour of Westoe {n}")
    slug = factory.LazyAttribute(lambda story: slugify(story.title))
    summary = "Maureen Clarke shops for six housebound neighbours every week."
    body_source = (
        "Every Tuesday **Maureen Clarke** takes six shopping lists to the market.\n\n"
        "## Why she does it\n\n"
        "- Her neighbours cannot get out\n"
        "- She enjoys the walk\n\n"
        "[Volunteer with us](https://example.org/volunteer/)"
    )
    body = factory.LazyAttribute(lambda story: html.render(story.body_source))
    author = factory.SubFactory(StaffFactory)
    status = Story.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    public_updated_at = factory.LazyAttribute(lambda story: story.published_at)
    image_shows_nominee = True

    @factory.post_generation
    def nominations(story, create, extracted, **kwargs):
        if create and extracted:
            story.nominations.set(extracted)

    @factory.post_generation
    def tags(story, create, extracted, **kwargs):
        if create and extracted:
            story.tags.set([TagFactory(name=name) for name in extracted])
