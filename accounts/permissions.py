"""View guards by role. Object-level access goes through accounts.scoping (404 for outsiders)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .scoping import actor_for


def role_required(*roles):
    """The view needs a logged-in user acting in one of ``roles`` (administrators always pass).

    A user in another role gets 403: the page exists for the portal, just not for this role.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            actor = actor_for(request.user)
            if not (actor.is_admin or actor.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
