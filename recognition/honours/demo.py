"""Demo roll of honour: a few hundred listed names, and a citation for a demo nominee.

Loaded by `load_demo` after the nominations demo. Safe to run again: the
generated names are made once, and a citation already written is left alone.
"""

from django.contrib.auth import get_user_model

from nominations.demo import CAMPAIGN_SLUG
from nominations.models import Campaign
from recognition.honours import generate, services
from recognition.honours.models import HonourEntry

DEMO_NAMES = 300

# Citations staff wrote for the hand-made demo nominees who said yes to the roll of honour.
# Priya Shah, a young person, is left for staff to write (the dashboard asks for it).
DEMO_CITATIONS = {
    "Maureen Clarke": "For two years of weekly shopping and a morning knock on the door for six housebound neighbours.",
}


def load(stdout=None) -> None:
    campaign = Campaign.objects.filter(slug=CAMPAIGN_SLUG).first()
    if campaign is None:
        return
    comms = get_user_model().objects.filter(email="comms@example.org").first()
    for name, citation in DEMO_CITATIONS.items():
        entry = HonourEntry.objects.filter(nominee__name=name, citation="").first()
        if entry is not None:
            services.citation_save(entry=entry, text=citation, actor=comms, approve=True)

    wanted = DEMO_NAMES - generate.generated_count(campaign)
    if wanted > 0:
        generate.generate_heroes(campaign=campaign, count=wanted, approver=comms)
    if stdout:
        listed = HonourEntry.objects.filter(listed=True).count()
        stdout.write(f"Roll of honour: {listed} names listed.")
