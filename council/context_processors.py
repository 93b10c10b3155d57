from council.roles import Role, user_has_role
from council.selectors import council_settings, current_civic_year, publishing_paused


def council(request):
    # Callables run only on pages that use them: the Mayor's name, and whether
    # to offer the review queue in the navigation (staff only).
    return {
        "council": council_settings(),
        "civic_year": current_civic_year,
        "can_review": lambda: user_has_role(request.user, Role.COMMS),
        "can_coordinate": lambda: user_has_role(request.user, Role.COORDINATOR),
        "can_send_letters": lambda: user_has_role(request.user, Role.MAYORS_OFFICE),
        "is_organisation_contact": lambda: user_has_role(request.user, Role.ORGANISATION_CONTACT),
    }


def publishing_pause(request):
    # Staff see a banner on every page while publishing is paused. Read fresh from
    # the database (not the settings cache), and only on pages that show the banner.
    return {"publishing_paused": publishing_paused}
