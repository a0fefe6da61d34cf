"""Writing a session report through the API with the web form's own checks: the JSON becomes the data of the report
form, so a mediator's system reads the same messages the mediator reads on the page, in the language of its
Accept-Language header, under the same field names (``start``, ``adults_present``, ``outcome_reason``).

A field left out keeps what the page would show in it: for a new report the values the page fills in beforehand
(the appointment's day, times and mode, "held", the request's household…), for a report being corrected its own
values. Every write goes through :func:`sessions_app.services.report_save`, in one transaction."""

from __future__ import annotations

from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext as _

from accounts.scoping import Actor
from core.errors import DomainError, NotAllowed
from scheduling.models import Appointment
from sessions_app import selectors as report_selectors
from sessions_app import services as report_services
from sessions_app.forms import FIELD_OF, SessionReportForm
from sessions_app.locks import why_locked
from sessions_app.models import SessionReport

from .errors import Conflict, Invalid


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def refuse_unless_writable(*, appointment: Appointment, report: SessionReport | None) -> None:
    """409 when the state of the appointment or of its report does not allow writing (the service checks it again
    under its lock): the page says the same in its banner."""
    if report is not None and report.status not in report_selectors.EDITABLE:
        raise Conflict(
            _("This report is “%(status)s”: it can no longer be changed.") % {"status": report.get_status_display()}
        )
    refusal = report_selectors.why_no_report(appointment=appointment) or why_locked(appointment=appointment)
    if refusal:
        raise Conflict(refusal)


def _errors(form) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        fields.setdefault("non_field_errors" if name == "__all__" else name, []).extend(messages)
    return fields


def save_report(
    *, actor: Actor, appointment: Appointment, report: SessionReport | None, data: dict, submit: bool
) -> SessionReport:
    """Write (or correct) the report of ``appointment`` from the API's JSON, and submit it when ``submit``."""
    show_notes = report_selectors.may_read_report_notes(user=actor.user, appointment=appointment)
    shown = SessionReportForm(appointment=appointment, report=report, show_notes=show_notes)
    values = {name: _text(data[name] if name in data else shown.initial.get(name)) for name in shown.fields}
    query = QueryDict(mutable=True)
    query.update(values)
    form = SessionReportForm(query, appointment=appointment, report=report, show_notes=show_notes)
    if not form.is_valid():
        raise Invalid(_("The report was not saved: see fields."), _errors(form))
    try:
        return report_services.report_save(
            actor=actor, appointment=appointment, fields=form.service_fields(), submit=submit
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        field = FIELD_OF.get(exc.field, exc.field)
        key = field if field in form.fields else "non_field_errors"
        raise Invalid(exc.message, {key: [exc.message]}) from None


def submit_report(*, actor: Actor, report: SessionReport) -> SessionReport:
    """Submit a draft (or a corrected report) as the page's button does; a rule it breaks is a 400 on its field."""
    try:
        return report_services.report_submit(actor=actor, report=report)
    except NotAllowed:
        raise
    except DomainError as exc:
        field = FIELD_OF.get(exc.field, exc.field)
        raise Invalid(exc.message, {field or "non_field_errors": [exc.message]}) from None
