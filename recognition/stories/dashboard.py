"""What the staff dashboard shows comms staff about stories."""

from django.db.models import Count, Q
from django.urls import reverse

from council.roles import Role, user_has_role
from recognition.stories.models import Story


def items(*, user) -> list[dict]:
    if not user_has_role(user, Role.COMMS):
        return []
    counts = Story.objects.aggregate(
        in_review=Count("pk", filter=Q(status=Story.Status.IN_REVIEW)),
        approved=Count("pk", filter=Q(status=Story.Status.APPROVED)),
        held=Count("pk", filter=Q(status=Story.Status.SCHEDULED, held_by_pause=True)),
    )
    index = reverse("stories_staff:index")
    rows = [
        {
            "label": "Stories to review",
            "count": counts["in_review"],
            "href": f"{index}?status=in_review",
        },
        {
            "label": "Approved stories to publish",
            "count": counts["approved"],
            "href": f"{index}?status=approved",
        },
    ]
    if counts["held"]:
        rows.append(
            {
                "label": "Stories held by the publishing pause",
                "count": counts["held"],
                "href": reverse("stories_staff:held"),
            }
        )
    return rows
