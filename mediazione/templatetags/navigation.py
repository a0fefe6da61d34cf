"""The main menu's "More" dropdown (templates/base.html, mediazione/navigation.py)."""

from django import template

register = template.Library()


@register.filter
def more_menu_has_items(items) -> bool:
    return any(item["secondary"] for item in items)


@register.filter
def more_menu_active(items) -> bool:
    """The dropdown's button is marked when the page open is one of its entries."""
    return any(item["secondary"] and item["active"] for item in items)
