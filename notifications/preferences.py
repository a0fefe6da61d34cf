"""How each person hears of each kind of notification: at once by e-mail, in the next morning's summary, or only in
the portal. Each role has defaults chosen around one question, "must this person act on it today?":

- a mediator hears at once of offers (they have a deadline), of appointments planned, moved or cancelled, and of a
  report sent back to correct; a validated report waits for the summary;
- a social worker hears at once of what changes the family's plans (appointments, a rejection, a cancellation, a
  question); a request taken in charge, a mediator assigned, a report to confirm, a mediation to evaluate and a
  closed request wait for the summary;
- a coordinator hears at once of a new request, of a declined offer (offer again), of an accepted offer (plan the
  appointments) and of a request the office withdrew; comments, appointment changes, reports to validate and
  mediations to close wait for the summary.

A choice is stored only where it differs from the default of the person's current role (see
``notifications.services.notification_preferences_save``), so that a better default reaches everyone who never chose.
"""

from __future__ import annotations

from accounts.models import Role
from accounts.scoping import actor_for

from .models import Delivery, Notification, NotificationPreference

K = Notification.Kind
NOW, DIGEST = Delivery.IMMEDIATE, Delivery.DIGEST

# The kinds each role receives, in the order the preferences page lists them, with their default.
DEFAULTS: dict[str, dict[str, str]] = {
    Role.MEDIATOR: {
        K.OFFER: NOW,
        K.OFFER_CONFIRMED: NOW,
        K.OFFER_TAKEN: NOW,
        K.OFFER_WITHDRAWN: NOW,
        K.OFFER_EXPIRED: NOW,
        K.APPOINTMENT: NOW,
        K.APPOINTMENT_MOVED: NOW,
        K.APPOINTMENT_CANCELLED: NOW,
        K.SERIES: NOW,
        K.SERIES_MOVED: NOW,
        K.SERIES_CANCELLED: NOW,
        K.MEDIATOR_CHANGED: NOW,
        K.REPORT_SENT_BACK: NOW,
        K.REPORT_VALIDATED: DIGEST,
    },
    Role.SOCIAL_WORKER: {
        K.REJECTED: NOW,
        K.CANCELLED: NOW,
        K.COMMENT: NOW,
        K.APPOINTMENT: NOW,
        K.APPOINTMENT_MOVED: NOW,
        K.APPOINTMENT_CANCELLED: NOW,
        K.SERIES: NOW,
        K.SERIES_MOVED: NOW,
        K.SERIES_CANCELLED: NOW,
        K.MEDIATOR_CHANGED: NOW,
        K.ACCEPTED: DIGEST,
        K.ASSIGNED: DIGEST,
        K.REPORT_SUBMITTED: DIGEST,
        K.COMPLETED: DIGEST,
        K.CLOSED: DIGEST,
    },
    Role.COORDINATOR: {
        K.SUBMITTED: NOW,
        K.OFFER_DECLINED: NOW,
        K.ASSIGNED: NOW,
        K.CANCELLED: NOW,
        K.COMMENT: DIGEST,
        K.APPOINTMENT_CANCELLED: DIGEST,
        K.SERIES_MOVED: DIGEST,
        K.SERIES_CANCELLED: DIGEST,
        K.MEDIATOR_CHANGED: DIGEST,
        K.REPORT_SUBMITTED: DIGEST,
        K.REPORT_CONFIRMED: DIGEST,
        K.EVALUATED: DIGEST,
    },
    # An administrator may act in any request: every kind, at once (as before preferences existed).
    Role.ADMINISTRATOR: {kind: NOW for kind in K.values},
}
# Province staff and the funder receive no notification: their page says so.


def kinds_for(role: str | None) -> dict[str, str]:
    """The kinds a role receives, each with its default delivery, in the page's order."""
    return DEFAULTS.get(role, {})


def default_for(role: str | None, kind: str) -> str:
    # A kind outside the role's list (a notification of a former role) is e-mailed at once, as it always was.
    return kinds_for(role).get(kind, Delivery.IMMEDIATE)


def choices_of(user) -> dict[str, str]:
    """The person's own choices, by kind (one query)."""
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))


def delivery_for(user, kind: str) -> str:
    """How ``user`` wants to hear of ``kind``: their choice, else their current role's default. A system acting
    through the API is told by its webhooks, never by e-mail."""
    if user.is_system:
        return Delivery.IN_APP
    chosen = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return chosen or default_for(actor_for(user).role, kind)
