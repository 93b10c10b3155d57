"""What a change of consent does to published stories: it takes them down at once.

Called by recognition/stories/receivers.py inside the nominations service's own
transaction, so the request that records a withdrawal is the one that takes the
story off /stories/, its page and the feed.
"""

from django.db import transaction
from django.utils import timezone

from council.services import audit_log
from recognition.stories.consent import publication_problems
from recognition.stories.models import Story
from recognition.stories.selectors import people_by_story

# The public explanation: it must not name anyone or say what they asked for.
# The page shows the date beside it (taken_down_at).
CONSENT_NOTICE = (
    "Someone in this story changed what they agreed to share with the public, "
    "so we have taken it down."
)


def stories_withdraw_for_consent(*, nominee_ids) -> list[Story]:
    """Withdraw, with a dated public notice, each published story about these nominees that
    consent no longer allows; returns the stories taken down."""
    nominee_ids = list(nominee_ids)
    about = (
        Story.objects.filter(status=Story.Status.PUBLISHED, nominations__nominee_id__in=nominee_ids)
        .values_list("pk", flat=True)
        .distinct()
    )
    withdrawn = []
    with transaction.atomic():
        # Locked in a second step: PostgreSQL takes no row locks on a DISTINCT query.
        stories = list(
            Story.objects.select_for_update()
            .filter(pk__in=list(about), status=Story.Status.PUBLISHED)
            .order_by("pk")
        )
        people = people_by_story(stories)
        now = timezone.now()
        for story in stories:
            problems = publication_problems(story, people=people[story.pk])
            if not problems:
                continue
            story.status = Story.Status.TAKEN_DOWN
            story.takedown_kind = Story.Takedown.WITHDRAWN
            # For staff: what consent no longer allows, with the names they may see.
            story.takedown_reason = "Consent changed. " + " ".join(problems)
            story.takedown_notice = CONSENT_NOTICE
            story.superseded_by = ""
            story.taken_down_at, story.taken_down_by = now, None
            story.public_updated_at = now
            story.save(
                update_fields=[
                    "status",
                    "takedown_kind",
                    "takedown_reason",
                    "takedown_notice",
                    "superseded_by",
                    "taken_down_at",
                    "taken_down_by",
                    "public_updated_at",
                ]
            )
            audit_log(
                actor=None,
                action="stories.story.withdrawn_for_consent",
                obj=story,
                data={"nominees": sorted(nominee_ids), "problems": problems},
            )
            withdrawn.append(story)
    return withdrawn
