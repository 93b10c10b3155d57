from council.roles import Role, user_has_role
from council.selectors import council_settings, current_civic_year


def council(request):
    # Callables run only on pages that use them: the Mayor's name, and whether
    # to offer the review queue in the navigation (staff only).
    return {
        "council": council_settings(),
        "civic_year": current_civic_year,
        "can_review": lambda: user_has_role(request.user, Role.COMMS),
    }
