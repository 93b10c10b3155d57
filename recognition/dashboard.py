"""What the staff dashboard shows the Mayor's office about letters."""

from django.urls import reverse

from council.roles import Role, user_has_role
from recognition.models import LetterTemplate, LetterVariant


def items(*, user) -> list[dict]:
    if not user_has_role(user, Role.MAYORS_OFFICE):
        return []
    missing = len(LetterVariant.values) - LetterTemplate.objects.count()
    return [
        {"label": "Letters not written yet", "count": missing, "href": reverse("letters:index")}
    ]
