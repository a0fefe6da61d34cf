"""Small presentation helpers of the request pages."""

from django import template

register = template.Library()

# One colour per step of a request's life; white text on each keeps a contrast above 4.5:1.
STATUS_BADGES = {
    "draft": "badge-status-draft",
    "submitted": "bg-primary",
    "rejected": "bg-danger",
    "matching": "badge-status-matching",
    "assigned": "badge-status-assigned",
    "scheduled": "badge-status-assigned",
    "completed": "bg-success",
    "evaluated": "bg-success",
    "closed": "bg-dark",
    "cancelled": "badge-status-cancelled",
}


@register.filter
def status_badge(status: str) -> str:
    """The badge class of a status: ``<span class="badge {{ r.status|status_badge }}">``."""
    return STATUS_BADGES.get(status, "bg-secondary")


@register.filter
def notification_text(notification) -> str:
    """What happened, with its facts, in the active language: ``{{ n|notification_text }}``."""
    from notifications.text import describe

    return describe(notification)


@register.filter
def notification_path(notification) -> str:
    """The page that shows what happened: ``<a href="{{ n|notification_path }}">``."""
    from notifications.text import path_for

    return path_for(notification)
