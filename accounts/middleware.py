from django.utils.functional import SimpleLazyObject

from .scoping import actor_for


class ActiveMembershipMiddleware:
    """Puts ``request.actor`` (the user in their current role) on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for(request.user))
        return self.get_response(request)
