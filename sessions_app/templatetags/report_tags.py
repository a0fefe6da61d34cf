"""The session report's box on the appointment page: its state and link, or the button to write it."""

from django import template

from sessions_app import selectors as report_selectors

register = template.Library()


@register.inclusion_tag("sessions_app/_appointment_report.html", takes_context=True)
def appointment_report(context, appointment):
    """Whoever sees the appointment sees its report (the same scoping rule); its mediator and the district's
    coordinators write it once the appointment has started."""
    user = context["request"].user
    may_write = report_selectors.may_write_report(user=user, appointment=appointment)
    report = report_selectors.report_of(appointment)
    refusal = report_selectors.why_no_report(appointment=appointment)
    return {
        # Writers are told why they cannot write yet; the others see the box once a report is due or exists.
        "show": report is not None or may_write or not refusal,
        "appointment": appointment,
        "report": report,
        "may_write": may_write and (report is None or report.status in report_selectors.EDITABLE),
        "refusal": refusal,
    }
