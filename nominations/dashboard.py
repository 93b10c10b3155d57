"""What the staff dashboard shows a person about nominations."""

from django.db.models import Count, Q
from django.urls import reverse

from council.roles import Role, user_has_role
from nominations.models import Nomination, PossibleDuplicate


def items(*, user) -> list[dict]:
    if not user_has_role(user, Role.COMMS):
        return []
    counts = Nomination.objects.aggregate(
        to_review=Count("pk", filter=Q(status=Nomination.Status.SUBMITTED)),
        mine=Count("pk", filter=Q(status=Nomination.Status.SUBMITTED, assigned_to=user)),
    )
    duplicates = PossibleDuplicate.objects.filter(
        decision=PossibleDuplicate.Decision.UNDECIDED
    ).count()
    queue = reverse("nominations_staff:queue")
    return [
        {
            "label": "Nominations to review",
            "count": counts["to_review"],
            "href": f"{queue}?status=submitted",
        },
        {
            "label": "Assigned to you",
            "count": counts["mine"],
            "href": f"{queue}?status=submitted&assigned_to={user.pk}",
        },
        {
            "label": "Possible duplicates to decide",
            "count": duplicates,
            "href": f"{queue}?status=submitted",
        },
    ]
