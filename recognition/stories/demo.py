"""Demo stories, written from the demo nominations: a handful published with pictures,
one draft and one in review. Loaded by `load_demo`; safe to run again.

Every story goes through the same services as the staff pages (written by the comms
account, approved by the administrator as the colleague), and the nominees behind the
published ones have consent records, added through the nominations services.
"""

import io
import random

from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw

from council.images import image_clean
from nominations import services as nominations
from nominations.demo import CAMPAIGN_SLUG
from nominations.models import ConsentLink, Nomination
from nominations.selectors import nominee_consent
from recognition.stories.models import Story, StorySlug
from recognition.stories.services import workflow

# Consent for demo nominees who have none yet, as if they had answered their link.
CONSENT = {
    "Dr Amir Haddad": {
        "channels": ["roll_of_honour", "website_story", "social_media", "press"],
        "name_display": "full",
        "photo_allowed": "yes",
    },
    "Margaret O'Neill": {
        "channels": ["roll_of_honour", "website_story", "press"],
        "name_display": "first_initial",
        "photo_allowed": "no",
    },
}

# slug, nominee, state, title, summary, body, tags, picture (palette, alt text, shows nominee)
STORIES = [
    (
        "maureen-shopping-round",
        "Maureen Clarke",
        "published",
        "Six neighbours, every week: Maureen's shopping round",
        "For two years Maureen Clarke has done the weekly shop for six housebound neighbours, and checks on each of them every morning.",
        "When the street went quiet, Maureen Clarke did not.\n\n"
        "Every week for two years she has collected shopping lists from six neighbours who cannot get out, "
        "walked them round the shops and delivered every bag to the door.\n\n"
        "## A knock every morning\n\n"
        "It is not only the shopping. Each morning Maureen knocks on every door on her round to check "
        "that everyone is well.\n\n"
        "> She is the reason our street still feels like a street.\n\n"
        "Thank you, Maureen.",
        ["Good neighbour"],
        (
            "#1d70b8",
            "#f47738",
            "Illustration of a row of terraced houses under a warm evening sky",
            False,
        ),
    ),
    (
        "doctor-who-phoned-every-patient",
        "Dr Amir Haddad",
        "published",
        "The doctor who phoned every missed appointment",
        "Dr Amir Haddad ran the leisure centre vaccination clinic seven days a week, and still rang every patient who missed a jab.",
        "Dr Amir Haddad ran the vaccination clinic at the leisure centre seven days a week.\n\n"
        "At the end of each day he sat down with the list of people who had not come, and phoned every one "
        "of them himself to find a time that worked.\n\n"
        "- Seven days a week\n- Every missed appointment followed up\n- Thousands of people protected\n\n"
        "Thank you, Dr Haddad.",
        ["Key worker"],
        ("#005a70", "#85994b", "Illustration of a bright clinic building beside a park", False),
    ),
    (
        "thirty-years-of-friday-baking",
        "Margaret O'Neill",
        "published",
        "Thirty years of Friday baking at the lunch club",
        "Margaret O. has run the Horsley Hill lunch club for thirty years, and still bakes for it every Friday.",
        "For thirty years Margaret O. has run the lunch club at Horsley Hill.\n\n"
        "Every Friday she bakes for it herself: scones, a tray bake and, on birthdays, a cake with candles.\n\n"
        "The club is where many of its members see friends each week. Thank you, Margaret.",
        ["Good neighbour", "Older people"],
        ("#912b88", "#ffdd00", "Illustration of a table laid with cakes and cups of tea", False),
    ),
    (
        "priya-sponsored-walk",
        "Priya Shah",
        "published",
        "Fifteen, and £2,400 raised for the food bank",
        "Priya S., who is 15, organised a sponsored walk for the food bank and recruited twenty classmates to help.",
        "Priya S. is 15. When she heard the food bank was running low, she organised a sponsored walk.\n\n"
        "It raised **£2,400**, and she recruited twenty classmates to help sort the donations that followed.\n\n"
        "Well done, Priya.",
        ["Young people"],
        ("#00703c", "#28a197", "Illustration of a coastal path with hills and the sea", False),
    ),
    (
        "vaccination-clinic-volunteers",
        "Dr Amir Haddad",
        "draft",
        "Behind the scenes at the vaccination clinic",
        "",
        "Notes so far: ask the clinic team about the volunteers who marshalled the queue.",
        [],
        None,
    ),
    (
        "how-to-help-a-neighbour",
        "Maureen Clarke",
        "in_review",
        "How to start a shopping round in your street",
        "Maureen Clarke's tips for looking out for the neighbours who cannot get to the shops.",
        "Maureen Clarke started with one neighbour. Here is what she has learnt.\n\n"
        "- Ask, and keep asking\n- Keep a list by the door\n- Knock, do not phone: it is a chance to chat",
        ["Good neighbour"],
        None,
    ),
]


def _picture(colours: tuple[str, str], seed: int) -> io.BytesIO:
    """A simple illustration drawn with Pillow: a sky, hills and a row of little houses."""
    width, height = 1200, 675
    picture = Image.new("RGB", (width, height), colours[0])
    draw = ImageDraw.Draw(picture)
    sky_top = Image.new("RGB", (1, 1), colours[0]).getpixel((0, 0))
    for y in range(height // 2):
        shade = tuple(min(255, int(channel + (255 - channel) * y / height)) for channel in sky_top)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.ellipse([900, 60, 1040, 200], fill=colours[1])
    draw.ellipse([-200, 380, 700, 900], fill="#2e5f3a")
    draw.ellipse([450, 400, 1500, 1000], fill="#3c7a4a")
    chance = random.Random(seed)  # noqa: S311  (a drawing, not security)
    x = 40
    while x < width - 120:
        house_width = chance.randint(90, 140)
        top = chance.randint(380, 440)
        wall = chance.choice(["#f3f2f1", "#ffdd00", "#d4351c", "#b1b4b6", colours[1]])
        draw.rectangle([x, top, x + house_width, 600], fill=wall, outline="#0b0c0c", width=3)
        draw.polygon(
            [(x - 10, top), (x + house_width // 2, top - 60), (x + house_width + 10, top)],
            fill="#505a5f",
        )
        draw.rectangle([x + 20, top + 40, x + 50, top + 80], fill="#ffffff")
        draw.rectangle([x + house_width - 45, 530, x + house_width - 15, 600], fill="#0b0c0c")
        x += house_width + chance.randint(15, 40)
    draw.rectangle([0, 600, width, height], fill="#6f777b")
    out = io.BytesIO()
    picture.save(out, format="PNG")
    out.seek(0)
    return out


def _give_consent(nominee, answers: dict) -> None:
    if nominee_consent(nominee).answered:
        return
    link = nominee.consent_links.filter(
        role=ConsentLink.Role.NOMINEE, superseded_at__isnull=True
    ).first()
    if link is None:
        link = nominations.consent_request(nominee=nominee)[0]
    nominations.consent_record(link=link, answers=answers)


def load(stdout=None) -> None:
    users = get_user_model().objects
    writer = users.filter(email="comms@example.org").first()
    colleague = users.filter(email="admin@example.org").first()
    if writer is None or colleague is None:
        return
    # The first approved nomination of each demo name: other demos may add more people later.
    approved = {}
    for nomination in (
        Nomination.objects.filter(status=Nomination.Status.APPROVED, campaign__slug=CAMPAIGN_SLUG)
        .select_related("nominee")
        .order_by("created_at", "pk")
    ):
        approved.setdefault(nomination.nominee.name, nomination)
    for name, answers in CONSENT.items():
        if name in approved:
            _give_consent(approved[name].nominee, answers)

    made = 0
    for number, (slug, name, state, title, summary, body, tags, picture) in enumerate(STORIES):
        nomination = approved.get(name)
        if nomination is None:
            continue
        if Story.objects.filter(slug=slug).exists() or StorySlug.objects.filter(slug=slug).exists():
            continue
        story = workflow.story_create(actor=writer, nominations=[nomination], title=title)
        image, alt, shows = None, "", True
        if picture:
            *colours, alt, shows = picture
            image = image_clean(_picture(tuple(colours), seed=number))
        workflow.story_save(
            story=story,
            actor=writer,
            title=title,
            slug=slug,
            summary=summary,
            body_source=body,
            hero_image_alt=alt,
            image_credit="Illustration: South Riverside Council" if picture else "",
            image_shows_nominee=shows,
            tags=tags,
            area=nomination.area,
            image=image,
        )
        if state != "draft":
            workflow.story_submit(story=story, actor=writer)
        if state == "published":
            workflow.story_approve(story=story, actor=colleague)
            try:
                workflow.story_publish(story=story, actor=colleague)
            except workflow.StoryError as error:
                # Publishing paused, or consent changed: the story waits, approved.
                if stdout:
                    stdout.write(f"Demo story “{title}” left approved: {error}")
        made += 1
    if stdout and made:
        stdout.write(f"Demo stories: {made} written.")
