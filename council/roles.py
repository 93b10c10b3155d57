"""Staff roles. Each is a Django group; a person may hold several.

Roles say what a person does; `is_staff` says they may open the staff pages at
all, and every staff account must have MFA outside demo mode.
"""

from django.db import models


class Role(models.TextChoices):
    COMMS = "Comms", "Comms staff"
    MAYORS_OFFICE = "Mayor's office", "Mayor's office"
    COORDINATOR = "Volunteer coordinator", "Volunteer coordinator"
    JUDGE = "Award judge", "Award judge"
    ORGANISATION_CONTACT = "Organisation contact", "Organisation contact"


# Roles that work on the staff pages, and so are staff accounts with MFA.
STAFF_ROLES = (Role.COMMS, Role.MAYORS_OFFICE, Role.COORDINATOR, Role.JUDGE)


def user_has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role.value).exists()
