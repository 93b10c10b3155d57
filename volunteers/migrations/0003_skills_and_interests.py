"""The standard skills, former careers and interests volunteers choose from and roles ask for.

A data migration so every site, test database and demo starts with the same
list; an administrator can add more in the admin. Nothing here asks about
health or criminal records: "lived experience" is the volunteer's own word for
whatever they have been through, and they are never asked what it was.
"""

from django.db import migrations
from django.utils.text import slugify

CAREERS = [
    "Teacher or teaching assistant",
    "Police or probation service",
    "NHS or other health work",
    "Social care or care work",
    "Youth work",
    "Armed forces",
    "Fire and rescue service",
    "Trades: building, plumbing, electrics",
    "IT and technology",
    "Finance, accounting or banking",
    "Law",
    "Retail or customer service",
    "Hospitality or catering",
    "Office and administration",
    "Charity or community work",
    "Lived experience: I have been through something others are facing now",
]

SKILLS = [
    "Driving (I have a car)",
    "Speaking another language",
    "British Sign Language",
    "Befriending and listening",
    "Mentoring or coaching",
    "Helping people get online",
    "Admin and paperwork",
    "Cooking",
    "Gardening",
    "DIY and repairs",
    "Fundraising",
    "Social media and publicity",
    "Photography or video",
    "Sport and fitness coaching",
    "Music, arts or crafts",
    "First aid",
    "Organising events",
    "Bookkeeping and budgets",
]

INTERESTS = [
    "Older people",
    "Children and young people",
    "Families",
    "Disabled people",
    "Mental health and wellbeing",
    "Homelessness and housing",
    "Food banks and tackling poverty",
    "The environment and green spaces",
    "Animals",
    "Sport and fitness",
    "Arts and culture",
    "Heritage and local history",
    "Refugees and people new to the area",
    "Community events",
    "Hospitals and health services",
    "Reading, learning and education",
    "Emergencies and community resilience",
]


def add(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    Interest = apps.get_model("volunteers", "Interest")
    for kind, names in (("career", CAREERS), ("skill", SKILLS)):
        for name in names:
            Skill.objects.update_or_create(
                slug=slugify(name)[:80], defaults={"name": name, "kind": kind}
            )
    for name in INTERESTS:
        Interest.objects.update_or_create(slug=slugify(name)[:80], defaults={"name": name})


def remove(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    Interest = apps.get_model("volunteers", "Interest")
    Skill.objects.filter(slug__in=[slugify(name)[:80] for name in CAREERS + SKILLS]).delete()
    Interest.objects.filter(slug__in=[slugify(name)[:80] for name in INTERESTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_volunteer_profile_steps"),
    ]

    operations = [migrations.RunPython(add, remove)]
