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


# Permissions each role holds from the start, as "app_label.codename". An
# administrator can take one away from a role, or give it to one person, in the admin.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.COMMS: ("stories.approve_story", "stories.publish_story", "social.approve_post"),
}


def role_group(role: Role):
    """The group behind a role, made with its standing permissions if it is missing.

    Tests on a flushed database and a fresh install both come through here, so a
    role always carries what ROLE_PERMISSIONS says it starts with.
    """
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=str(role))
    if created:
        for name in ROLE_PERMISSIONS.get(str(role), ()):
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
    return group
