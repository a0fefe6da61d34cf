"""The parts of every page that are the same from one request to the next (templates/base.html): the links of the
head, the header with the role and the menu, the footer.

Each part is rendered once per process for what it depends on (the language, the person and their roles, the menu
entry open, whether someone is logged in) and kept in a small in-process table, so a page pays a lookup instead of a
few thousand template steps (issue #17: a page within three times its bare-SQL view). What differs at every request
is put in afterwards: the CSRF token of the forms (the role switch, the language, the logout), the address the
language switch comes back to and the unread counter. A renamed district shows within ``FRAME_SECONDS``; a role
added or removed, at once (the roles are part of the key).
"""

from __future__ import annotations

import threading
import time

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from mediazione.navigation import active_urls

register = template.Library()

FRAME_SECONDS = 300
FRAME_ENTRIES = 2_000
# Private-use characters: they never come out of a template's escaped text, so they mark the holes safely.
CSRF, NEXT, UNREAD = "\ue000csrf\ue000", "\ue000next\ue000", "\ue000unread\ue000"

_parts: dict[tuple, tuple[float, str]] = {}
_lock = threading.Lock()


def _cached(key: tuple, render) -> str:
    now = time.monotonic()
    found = _parts.get(key)
    if found is not None and found[0] > now:
        return found[1]
    html = render()
    with _lock:
        if len(_parts) >= FRAME_ENTRIES:
            _parts.clear()  # rarely reached: a few parts per person and language
        _parts[key] = (now + FRAME_SECONDS, html)
    return html


@receiver(setting_changed)
def forget_frames(**kwargs) -> None:
    """A setting changed (tests): the parts may read it."""
    with _lock:
        _parts.clear()


def _person_key(context) -> tuple:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return (None,)
    actor = context.get("actor")
    memberships = context.get("my_memberships") or []
    roles = tuple((m.pk, m.role, m.scope_label()) for m in memberships)
    membership = getattr(actor, "membership", None)
    return (
        user.pk,
        str(user),
        user.is_staff,
        getattr(actor, "role", None),
        getattr(actor, "is_admin", False),
        getattr(membership, "pk", None),
        roles,
    )


@register.simple_tag(takes_context=True)
def portal_head(context) -> str:
    return mark_safe(  # noqa: S308 - our own template, rendered from static addresses only
        _cached(("head", get_script_prefix()), lambda: get_template("includes/frame_head.html").render({}))
    )


@register.simple_tag(takes_context=True)
def portal_header(context) -> str:
    request = context.get("request")
    if request is None:  # a page rendered without a request (none of the portal's): the header of nobody
        return mark_safe(  # noqa: S308 - our own template
            get_template("includes/frame_header.html").render({"FRAME_NEXT": "/", "FRAME_UNREAD": ""})
        )
    person = _person_key(context)
    actor = context.get("actor")
    key = ("header", get_language(), get_script_prefix(), settings.SITE_NAME, active_urls(request.path, actor), person)

    def render() -> str:
        values = context.flatten()
        values.update({"csrf_token": CSRF, "FRAME_NEXT": NEXT, "FRAME_UNREAD": UNREAD})
        return get_template("includes/frame_header.html").render(values)

    html = _cached(key, render)
    token = escape(frame_csrf_token(context))
    html = html.replace(CSRF, token).replace(NEXT, escape(request.get_full_path()))
    if UNREAD in html:
        count = context["unread_notifications"].count
        here = getattr(request.resolver_match, "view_name", None) == "notifications:list"
        unread = _cached(
            ("unread", get_language(), get_script_prefix(), settings.STATIC_URL, count, here),
            lambda: get_template("includes/frame_unread.html").render(
                {"unread_notifications": {"count": count}, "here": here, "SPRITES": context.get("SPRITES")}
            ),
        )
        html = html.replace(UNREAD, unread)
    return mark_safe(html)  # noqa: S308 - rendered by our templates, with escaped values put in


@register.simple_tag(takes_context=True)
def frame_csrf_token(context) -> str:
    """The page's CSRF token, masked once for every form and the htmx header of the page (each masking draws 32
    random characters: Django's ``{{ csrf_token }}`` does it at every use)."""
    request = context.get("request")
    # A page that sets no cookie (the public guide, for someone not logged in) asks for no token: asking would set
    # the CSRF cookie.
    if request is None or getattr(request, "frame_without_csrf", False):
        return ""
    token = getattr(request, "_frame_csrf_token", None)
    if token is None:
        token = request._frame_csrf_token = get_token(request)
    return token


@register.simple_tag(takes_context=True)
def portal_footer(context) -> str:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    key = ("footer", get_language(), get_script_prefix(), settings.SITE_NAME, signed_in)
    return mark_safe(  # noqa: S308 - our own template
        _cached(
            key,
            lambda: get_template("includes/frame_footer.html").render(
                {"SITE_NAME": context.get("SITE_NAME"), "user": user if signed_in else None}
            ),
        )
    )
