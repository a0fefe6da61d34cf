"""What a notification says, in the active language: one sentence telling what happened, with the facts (day, time
in Europe/Rome, place or mode, mediator), and the page it leads to.

The same sentence is the e-mail's first line and the text of the notifications list, so the two never disagree.
The facts come from ``Notification.details``, written when it happened (by the room that notifies, e.g.
``scheduling/facts.py``), and from the request and the actor, which the list loads with ``select_related``: no
query per notification.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import formatting
from mediators.models import Mode

from .models import Notification

ROME = ZoneInfo("Europe/Rome")

# Kinds whose page is the list of one's offers: the mediator does not see the request itself (yet, or any more).
_OFFERS_PAGE = {
    Notification.Kind.OFFER,
    Notification.Kind.OFFER_TAKEN,
    Notification.Kind.OFFER_WITHDRAWN,
    Notification.Kind.OFFER_EXPIRED,
}


# Kinds about one session's report: their facts are the appointment's (day, time, place, mediator) and the report.
_REPORT_KINDS = {
    Notification.Kind.REPORT_SUBMITTED,
    Notification.Kind.REPORT_CONFIRMED,
    Notification.Kind.REPORT_VALIDATED,
    Notification.Kind.REPORT_SENT_BACK,
}


# --- Dates ------------------------------------------------------------------------------------------------------------


def _aware(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def when(value: datetime | str) -> str:
    """Day first, in the active language and in Europe/Rome: "4 December 2026, 09:30", "4 dicembre 2026, 09:30"."""
    return formatting.format_datetime(_aware(value))


def day(value: date | str) -> str:
    """ "4 December 2026", "4 dicembre 2026"."""
    return formatting.format_date(date.fromisoformat(value) if isinstance(value, str) else value)


def hour(value: datetime | str) -> str:
    """ "09:30", in Europe/Rome."""
    return formatting.format_time(_aware(value))


# --- Reading them -----------------------------------------------------------------------------------------------------


def where(details: dict) -> str:
    """ "Via Dante 12, Cremona (in person)", or only the mode when there is no place (a phone or video call)."""
    try:
        mode = Mode(details.get("mode") or Mode.IN_PERSON).label
    except ValueError:
        mode = ""
    place = (details.get("place") or "").strip()
    if place and mode:
        return f"{place} ({str(mode).lower()})"
    return place or str(mode)


def span(details: dict) -> str:
    """ "4 December 2026, 09:30–10:30"."""
    return f"{when(details['starts_at'])}–{hour(details['ends_at'])}"


def person(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def describe(notification: Notification) -> str:
    """What happened, in one or two sentences of the active language, with the facts."""
    kind, d = notification.kind, notification.details or {}
    request = notification.request
    code = request.case_code if request is not None else ""
    actor = person(notification.actor) or _("the portal")
    mediator = d.get("mediator", "")
    K = Notification.Kind
    if kind == K.SUBMITTED:
        return _("%(office)s has submitted a new mediation request (%(code)s).") % {
            "office": request.office.name,
            "code": code,
        }
    if kind == K.REJECTED:
        return _("Your request %(code)s was rejected. The reason is in its history.") % {"code": code}
    if kind == K.ACCEPTED:
        return _("Your request %(code)s was taken in charge: the coordinator is looking for a mediator.") % {
            "code": code
        }
    if kind == K.CANCELLED:
        return _("The request %(code)s was cancelled. The reason is in its history.") % {"code": code}
    if kind == K.CLOSED:
        return _("The request %(code)s was closed.") % {"code": code}
    if kind == K.COMMENT:
        return _("%(actor)s wrote a message about the request %(code)s.") % {"actor": actor, "code": code}
    if kind == K.OFFER:
        return _("The district of %(district)s offers you the request %(code)s: accept or decline it.") % {
            "district": request.office.district.name,
            "code": code,
        }
    if kind == K.OFFER_CONFIRMED:
        return _("Confirmed: the request %(code)s is yours. The coordinator will plan the appointments with you.") % {
            "code": code
        }
    if kind == K.OFFER_TAKEN:
        return _("The request %(code)s was taken by another mediator. Thank you for your availability.") % {
            "code": code
        }
    if kind == K.OFFER_WITHDRAWN:
        return _("The offer for the request %(code)s was withdrawn by the coordinator.") % {"code": code}
    if kind == K.OFFER_EXPIRED:
        return _("The offer for the request %(code)s expired without an answer.") % {"code": code}
    if kind == K.OFFER_DECLINED:
        return _("%(mediator)s declined the offer of the request %(code)s: it is still looking for a mediator.") % {
            "mediator": mediator or actor,
            "code": code,
        }
    if kind == K.ASSIGNED:
        if d.get("by_phone"):
            return _("%(mediator)s accepted the request %(code)s on the phone (recorded by %(actor)s).") % {
                "mediator": mediator,
                "code": code,
                "actor": actor,
            }
        return _("%(mediator)s accepted the request %(code)s: appointments can be planned now.") % {
            "mediator": mediator or actor,
            "code": code,
        }
    if kind == K.COMPLETED:
        return _("Every session of the request %(code)s is done: evaluate how the mediation went.") % {"code": code}
    if kind == K.EVALUATED:
        return _("The office evaluated the mediation of the request %(code)s: it can be closed.") % {"code": code}
    if kind in _REPORT_KINDS and "starts_at" in d:
        return _report_sentence(kind, d, code=code, actor=actor)
    if "starts_at" not in d:
        # Written before notifications kept their facts: the kind is all there is to say.
        return f"{notification.get_kind_display()} · {code}"
    facts = {"code": code, "when": span(d), "where": where(d), "mediator": mediator}
    if kind == K.APPOINTMENT:
        return _("Appointment planned for the request %(code)s: %(when)s, %(where)s, with %(mediator)s.") % facts
    if kind == K.APPOINTMENT_MOVED:
        return _(
            "The appointment of the request %(code)s of %(before)s moved to %(when)s, %(where)s, with %(mediator)s."
        ) % {**facts, "before": when(d["previous_starts_at"])}
    if kind == K.APPOINTMENT_CANCELLED:
        cancelled = _(
            "The appointment of the request %(code)s of %(when)s (%(where)s, with %(mediator)s) was cancelled."
        )
        return cancelled % facts
    count = d.get("count", 1)
    if kind == K.SERIES:
        return ngettext(
            "%(count)s recurring appointment planned for the request %(code)s, from %(when)s to %(last)s, "
            "%(where)s, with %(mediator)s.",
            "%(count)s recurring appointments planned for the request %(code)s, from %(when)s to %(last)s, "
            "%(where)s, with %(mediator)s.",
            count,
        ) % {**facts, "count": count, "last": day(_aware(d["last_starts_at"]).astimezone(ROME).date())}
    if kind == K.SERIES_MOVED:
        return ngettext(
            "%(count)s appointment of the request %(code)s moved: it is now %(when)s, %(where)s, with %(mediator)s.",
            "%(count)s appointments of the request %(code)s moved: the first is now %(when)s, %(where)s, with "
            "%(mediator)s.",
            count,
        ) % {**facts, "count": count}
    if kind == K.SERIES_CANCELLED:
        return ngettext(
            "%(count)s appointment of the request %(code)s was cancelled: %(when)s, %(where)s.",
            "%(count)s appointments of the request %(code)s were cancelled, from %(when)s to %(last)s, %(where)s.",
            count,
        ) % {**facts, "count": count, "last": when(d["last_starts_at"])}
    if kind == K.MEDIATOR_CHANGED:
        return ngettext(
            "The mediator of the request %(code)s is now %(mediator)s instead of %(previous)s, for %(count)s "
            "appointment: %(when)s, %(where)s.",
            "The mediator of the request %(code)s is now %(mediator)s instead of %(previous)s, for %(count)s "
            "appointments from %(when)s, %(where)s.",
            count,
        ) % {**facts, "count": count, "previous": d.get("previous", "")}
    return f"{notification.get_kind_display()} · {code}"


def _report_sentence(kind: str, d: dict, *, code: str, actor: str) -> str:
    """What happened to a session's report, with the session's day, time and place. Never the report's content:
    the notes and the reason for sending it back are read in the portal."""
    K = Notification.Kind
    facts = {"code": code, "actor": actor, "when": span(d), "where": where(d), "mediator": d.get("mediator") or actor}
    if kind == K.REPORT_SUBMITTED:
        sentence = _(
            "%(mediator)s wrote the report of the session of the request %(code)s on %(when)s, %(where)s: confirm "
            "that it went as it says."
        )
    elif kind == K.REPORT_CONFIRMED:
        sentence = _(
            "The office confirmed the report of the session of the request %(code)s on %(when)s, %(where)s: it can "
            "be validated."
        )
    elif kind == K.REPORT_VALIDATED:
        sentence = _(
            "Your report of the session of the request %(code)s on %(when)s, %(where)s was validated by %(actor)s."
        )
    else:
        sentence = _(
            "%(actor)s sent back your report of the session of the request %(code)s on %(when)s, %(where)s: read what "
            "to correct in the portal."
        )
    return sentence % facts


def path_for(notification: Notification, recipient=None) -> str:
    """The page that shows what happened, one the recipient can open."""
    d = notification.details or {}
    if notification.kind in _OFFERS_PAGE:
        return reverse("scheduling:offers")
    if d.get("report"):
        return reverse("sessions:report", args=[d["report"]])
    if notification.kind == Notification.Kind.COMPLETED and notification.request_id is not None:
        return reverse("sessions:evaluate", args=[notification.request_id])
    if d.get("series"):
        return reverse("scheduling:series", args=[d["series"]])
    if d.get("appointment"):
        return reverse("scheduling:appointment", args=[d["appointment"]])
    if notification.request_id is None:
        return reverse("notifications:list")
    return notification.request.get_absolute_url()
