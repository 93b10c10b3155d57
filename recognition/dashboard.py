"""What the staff dashboard shows the Mayor's office about letters."""

from django.db.models import Count, Q
from django.urls import reverse

from council.roles import Role, user_has_role
from recognition.models import Letter, LetterTemplate, LetterVariant
from recognition.services import letters_needing_attention, letters_unprintable

Stage = Letter.Stage


def items(*, user) -> list[dict]:
    if not user_has_role(user, Role.MAYORS_OFFICE):
        return []
    missing = len(LetterVariant.values) - LetterTemplate.objects.count()
    counts = Letter.objects.aggregate(
        to_release=Count("pk", filter=Q(stage=Stage.AWAITING_RELEASE)),
        for_print=Count(
            "pk", filter=Q(stage=Stage.FOR_PRINT, print_batch__isnull=True, address_problem="")
        ),
    )
    release = reverse("letters:release")
    return [
        {"label": "Letters to check and release", "count": counts["to_release"], "href": release},
        {
            "label": "Letters that need you: not made, not sent or bounced",
            "count": letters_needing_attention().count(),
            "href": release,
        },
        {
            "label": "Letters that cannot be posted until the address is corrected",
            "count": letters_unprintable().count(),
            "href": release,
        },
        {
            "label": "Letters waiting for a print batch",
            "count": counts["for_print"],
            "href": reverse("letters:batches"),
        },
        {"label": "Letters not written yet", "count": missing, "href": reverse("letters:index")},
    ]
