"""The people page's rows, written by Python: the list's template drew each role and each waiting invitation with some
fifteen template steps (the person, the role, where, the state, a form with its address and token), a third of the
page's time (issue #17). ``tests/test_people_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from core.choices import choice_labels
from core.formatting import format_datetime_short
from core.urls import pk_url

register = template.Library()


def _form(action: str, token: str, button: str) -> str:
    return f'<form method="post" action="{escape(action)}">{token}{button}</form>'


@register.simple_tag(takes_context=True)
def membership_rows(context, memberships) -> SafeString:
    """A ``<tr>`` for each role of a page of the people list (accounts.selectors.membership_page)."""
    token = CsrfTokenNode().render(context)  # the same hidden input {% csrf_token %} writes
    me = getattr(context.get("user"), "pk", None)
    roles = choice_labels(Membership, "role")
    state = {
        True: f'<span class="badge bg-success">{escape(_("Active"))}</span>',
        False: f'<span class="badge bg-secondary">{escape(_("Ended"))}</span>',
    }
    end_role = escape(_("End role"))
    written = []
    for m in memberships:
        person = escape(str(m.user))
        where = escape(m.scope_label())
        if m.role == Role.MEDIATOR:
            districts = escape(", ".join(d.name for d in m.district_list))
            where += f'<br><span class="small text-secondary">{districts}</span>'
        action = ""
        if m.is_active and m.user_id != me:
            button = (
                f'<button type="submit" class="btn btn-outline-danger btn-xs">{end_role}'
                f'<span class="visually-hidden"> {person}</span></button>'
            )
            action = _form(pk_url("accounts:membership_deactivate", m.pk), token, button)
        written.append(
            f"<tr><td><strong>{person}</strong><br>"
            f'<span class="small text-secondary">{escape(m.user.email)}</span></td>'
            f"<td>{escape(roles.get(m.role, m.role))}</td><td>{where}</td><td>{state[bool(m.is_active)]}</td>"
            f'<td class="text-end">{action}</td></tr>'
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def invitation_rows(context, invitations) -> SafeString:
    """A ``<tr>`` for each invitation waiting for an answer (accounts.selectors.pending_invitation_list)."""
    token = CsrfTokenNode().render(context)
    again = f'<button type="submit" class="btn btn-outline-primary btn-xs">{escape(_("Send again"))}</button>'
    withdraw = f'<button type="submit" class="btn btn-outline-danger btn-xs">{escape(_("Withdraw"))}</button>'
    written = []
    for inv in invitations:
        valid = _("valid until %(date)s") % {"date": escape(format_datetime_short(inv.expires_at))}
        written.append(
            f"<tr><td>{escape(inv.email)}</td><td>{escape(inv.get_role_display())}</td>"
            f"<td>{escape(inv.scope_label())}</td>"
            f'<td>{escape(inv.get_status_display())}<br><span class="small text-secondary">{valid}</span></td>'
            '<td class="text-end"><div class="d-flex gap-2 justify-content-end">'
            f"{_form(pk_url('accounts:invitation_resend', inv.pk), token, again)}"
            f"{_form(pk_url('accounts:invitation_revoke', inv.pk), token, withdraw)}"
            "</div></td></tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
