"""Every write of scheduling, one module per thing written: offers, single appointments, recurring series.

Keyword-only, one transaction each, domain errors in the user's language. Import from here
(``from scheduling import services``); each function lives in the module its name begins with.
"""

from .appointments import appointment_cancel, appointment_create, appointment_reschedule
from .offers import offer_accept, offer_decline, offer_send_email, offer_withdraw, offers_create, offers_tick
from .series import SeriesConflicts, series_cancel, series_change_mediator, series_create, series_move

__all__ = [
    "SeriesConflicts",
    "appointment_cancel",
    "appointment_create",
    "appointment_reschedule",
    "offer_accept",
    "offer_decline",
    "offer_send_email",
    "offer_withdraw",
    "offers_create",
    "offers_tick",
    "series_cancel",
    "series_change_mediator",
    "series_create",
    "series_move",
]
