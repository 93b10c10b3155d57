from council.roles import Role, user_has_role
from council.selectors import council_settings, current_civic_year, publishing_paused


def council(request):
    # Callables run only on pages that use them: the Mayor's name, and which
    # staff pages to offer in the navigation (the person's roles, read once).
    role_names = None

    def has_role(role: Role) -> bool:
        nonlocal role_names
        user = request.user
        if not user.is_authenticated or user.is_superuser:
            return user_has_role(user, role)
        if role_names is None:
            role_names = set(user.groups.values_list("name", flat=True))
        return role.value in role_names

    return {
        "council": council_settings(),
        "civic_year": current_civic_year,
        "can_review": lambda: has_role(Role.COMMS),
        "can_coordinate": lambda: has_role(Role.COORDINATOR),
        "can_send_letters": lambda: has_role(Role.MAYORS_OFFICE),
        "is_organisation_contact": lambda: has_role(Role.ORGANISATION_CONTACT),
    }


def publishing_pause(request):
    # Staff see a banner on every page while publishing is paused. Read fresh from
    # the database (not the settings cache), and only on pages that show the banner.
    return {"publishing_paused": publishing_paused}
