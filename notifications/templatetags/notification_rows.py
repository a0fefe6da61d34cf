"""The notifications' rows, written by Python: the list's template drew each of its 25 rows with some twenty template
steps (the kind, the request's link, the sentence, two formatted times, who, a form with its address and token),
about 4 ms of the page (issue #17). ``tests/test_notification_rows.py`` keeps that template as the reference and holds
the two equal."""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_datetime
from notifications.models import Notification
from notifications.text import describe, path_for

register = template.Library()


def _iso(at) -> str:
    # As {{ at|date:'c' }} writes it: in the current time zone (Europe/Rome), microseconds included when there are.
    return timezone.localtime(at).isoformat() if at else ""


@register.simple_tag(takes_context=True)
def notification_rows(context, notifications, reachable) -> SafeString:
    """A ``<li>`` for each notification of a page of the list (notifications.views.notification_list); ``reachable``
    holds the ids of the requests the user may still open."""
    token = CsrfTokenNode().render(context)  # the same hidden input {% csrf_token %} writes
    read_url = escape(reverse("notifications:read"))
    kinds = choice_labels(Notification, "kind")
    unread_badge = f'<span class="badge bg-primary me-1">{escape(_("Unread"))}</span>'
    hidden = escape(_("no longer visible to you"))
    mark_read = escape(_("Mark as read"))
    written = []
    for n in notifications:
        kind = escape(kinds.get(n.kind, n.kind))
        request = n.request
        code = escape(request.case_code) if request is not None else ""
        what = f"<strong>{kind}</strong>"
        if request is not None:
            if n.request_id in reachable:
                what += f' · <a href="{escape(path_for(n))}">{code}</a>'
            else:
                what += f' · {code} <span class="small text-secondary">({hidden})</span>'
        actor = n.actor
        who = f" · {escape(actor.get_full_name() or actor.email)}" if actor is not None else ""
        form = ""
        if not n.read_at:
            form = (
                f'<form method="post" action="{read_url}">{token}'
                f'<input type="hidden" name="ids" value="{escape(n.pk)}">'
                f'<button type="submit" class="btn btn-outline-secondary btn-xs">{mark_read}'
                f'<span class="visually-hidden">: {kind}{" " + code if request is not None else ""}</span></button>'
                "</form>"
            )
        written.append(
            '<li class="notification-item card card-bg no-after request-card mb-2'
            f'{"" if n.read_at else " is-unread"}" data-testid="notification">'
            '<div class="card-body d-flex flex-wrap gap-3 align-items-center justify-content-between py-3"><div>'
            f'<p class="mb-1">{"" if n.read_at else unread_badge}{what}</p>'
            f'<p class="mb-1" data-testid="notification-text">{escape(describe(n))}</p>'
            f'<p class="small text-secondary mb-0"><time datetime="{escape(_iso(n.created_at))}">'
            f"{escape(format_datetime(n.created_at))}</time>{who}</p>"
            f"</div>{form}</div></li>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
