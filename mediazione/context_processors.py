from django.conf import settings
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject, cached_property

from accounts.scoping import actor_for
from accounts.selectors import user_memberships

from .navigation import items_for


class UnreadNotifications:
    """The header's counter: one query, run only when a template reads ``count``, and at most once."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        from notifications.selectors import unread_notification_count

        return unread_notification_count(user=self.user)


def portal(request):
    """What the base layout needs: the current role, the user's other roles for the switch, the navigation."""
    common = {"SITE_NAME": settings.SITE_NAME, "SPRITES": static("vendor/bootstrap-italia/svg/sprites.svg")}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return common
    actor = actor_for(user)
    return {
        **common,
        "actor": actor,
        # Lazy and computed once per request, however often the templates use them.
        "my_memberships": SimpleLazyObject(lambda: user_memberships(user=user)),
        "nav_items": SimpleLazyObject(lambda: items_for(actor, request.path)),
        "unread_notifications": UnreadNotifications(user),
    }
