"""What the staff dashboard shows the volunteer coordinator."""

from django.urls import reverse

from council.roles import Role, user_has_role
from volunteers import selectors
from volunteers.models import Organisation, Volunteer


def items(*, user) -> list[dict]:
    if not user_has_role(user, Role.COORDINATOR):
        return []
    queue = reverse("volunteers_staff:queue")
    referrals = reverse("volunteers_staff:referrals")
    organisations = reverse("volunteers_staff:organisations")
    return [
        {
            "label": "Volunteers waiting for a role",
            "count": Volunteer.objects.filter(status=Volunteer.Status.AVAILABLE).count(),
            "href": queue,
        },
        {
            "label": "Referrals past their time limit",
            "count": selectors.referrals_overdue().count(),
            "href": f"{referrals}?overdue=on",
        },
        {
            "label": "Organisations waiting for approval",
            "count": Organisation.objects.filter(status=Organisation.Status.PENDING).count(),
            "href": f"{organisations}?status=pending",
        },
    ]
