"""Who may open which page. Object-level checks live beside each app's selectors."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from council.roles import Role, user_has_role


def staff_required(view=None, *, role: Role | None = None):
    """Signed-out people are asked to sign in; signed-in people without the role get 403."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_staff:
                raise PermissionDenied
            if role is not None and not user_has_role(user, role):
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator
