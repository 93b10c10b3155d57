"""Published stories to post about, written from nominations whose consent was recorded the
way nominees record it (through the nominations services), and channels of each kind."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from nominations import services as nominations
from nominations.models import ConsentLink, Nomination
from recognition.social.models import Channel
from recognition.social.secrets import seal
from recognition.stories.models import Story
from tests.council.factories import AreaFactory, StaffFactory
from tests.nominations.factories import CampaignFactory, CategoryFactory

EVERYTHING = {
    "channels": ["roll_of_honour", "website_story", "social_media", "press"],
    "name_display": "full",
    "photo_allowed": "yes",
}
NO_SOCIAL = {**EVERYTHING, "channels": ["roll_of_honour", "website_story", "press"]}
WITHDRAW = {"withdraw": True, "channels": [], "name_display": "anonymous"}


def record_consent(nominee, answers: dict, *, role: str = "nominee"):
    link = (
        ConsentLink.objects.filter(nominee=nominee, role=role, superseded_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    return nominations.consent_record(link=link, answers=answers)


def approved_nomination(
    *, name="Maureen Clarke", consent=EVERYTHING, young=False, guardian_consent=None
) -> Nomination:
    campaign = CampaignFactory()
    answers = {
        "nominee_kind": "young_person" if young else "person",
        "category": CategoryFactory(campaign=campaign),
        "nominee_name": name,
        "contact_methods": ["email"],
        "nominee_email": f"{slugify(name)}@example.net",
        "area": AreaFactory(),
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


def picture(size=(120, 80), *, noisy=False) -> bytes:
    """A JPEG; a noisy one is large for its size (it does not compress)."""
    if noisy:
        import os

        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, "teal")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def published_story(*, nominations=(), image: bytes | None = None, **fields) -> Story:
    """A published story, made directly (the stories app's own services are tested there)."""
    title = fields.pop("title", "Maureen's shopping round")
    story = Story(
        title=title,
        slug=slugify(title),
        summary=fields.pop(
            "summary", "Maureen Clarke shops for six housebound neighbours every week."
        ),
        body_source="Every Tuesday Maureen takes six shopping lists to the market.",
        body="<p>Every Tuesday Maureen takes six shopping lists to the market.</p>",
        author=StaffFactory(),
        status=Story.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
        public_updated_at=timezone.now() - timedelta(hours=1),
        **fields,
    )
    if image is not None:
        story.hero_image.save("hero.jpg", ContentFile(image), save=False)
        story.hero_image_alt = story.hero_image_alt or "Maureen at her door with bags of shopping"
    story.save()
    story.nominations.set(nominations)
    return story


def channel(kind: str, *, name: str | None = None, **fields) -> Channel:
    credentials = fields.pop("credentials", None)
    made = Channel.objects.create(kind=kind, name=name or f"{kind.title()} channel", **fields)
    if credentials:
        made.secret = seal(credentials)
        made.save(update_fields=["secret"])
    return made
