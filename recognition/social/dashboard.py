"""What the staff dashboard shows comms staff about social posts."""

from django.db.models import Count, Q
from django.urls import reverse

from council.outgoing import OutgoingWork
from council.roles import Role, user_has_role
from recognition.social.models import Channel, SocialPost

Status = OutgoingWork.Status


def items(*, user) -> list[dict]:
    if not user_has_role(user, Role.COMMS):
        return []
    counts = SocialPost.objects.aggregate(
        drafts=Count("pk", filter=Q(status=Status.HELD, approved_at__isnull=True)),
        unknown=Count("pk", filter=Q(status=Status.UNKNOWN)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        held=Count("pk", filter=Q(status=Status.HELD, held_by_pause=True)),
        by_hand=Count("pk", filter=Q(removal=SocialPost.Removal.BY_HAND)),
    )
    index = reverse("social_staff:index")
    rows = [
        {
            "label": "Social posts to approve",
            "count": counts["drafts"],
            "href": f"{index}?state=draft",
        }
    ]
    extra = [
        ("unknown", "Social posts to check: they may have been posted", f"{index}?state=unknown"),
        ("failed", "Social posts that failed", f"{index}?state=failed"),
        ("held", "Social posts held by the publishing pause", f"{index}?state=held"),
        (
            "by_hand",
            "Social posts to remove by hand",
            reverse("social_staff:history") + "?removal=by_hand",
        ),
    ]
    for key, label, href in extra:
        if counts[key]:
            rows.append({"label": label, "count": counts[key], "href": href})
    reconnect = Channel.objects.filter(active=True, needs_reconnecting_since__isnull=False).count()
    if reconnect:
        rows.append(
            {"label": "Social channels that need reconnecting", "count": reconnect, "href": index}
        )
    return rows
