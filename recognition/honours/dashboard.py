"""What the staff dashboard shows comms staff about the roll of honour."""

from django.db.models import Count
from django.urls import reverse

from council.roles import Role, user_has_role
from recognition.honours.models import HonourEntry, ListingStatus


def items(*, user) -> list[dict]:
    if not user_has_role(user, Role.COMMS):
        return []
    counts = dict(
        HonourEntry.objects.filter(
            status__in=[ListingStatus.NEEDS_CITATION, ListingStatus.AWAITING_APPROVAL]
        )
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    index = reverse("honours_staff:index")
    return [
        {
            "label": "Nominees need a citation for the roll of honour",
            "count": counts.get(ListingStatus.NEEDS_CITATION, 0),
            "href": f"{index}?listing=needs_citation",
        },
        {
            "label": "Citations waiting for approval",
            "count": counts.get(ListingStatus.AWAITING_APPROVAL, 0),
            "href": f"{index}?listing=awaiting_approval",
        },
    ]
