"""The life of a request: one table of allowed transitions. Services (services.py) apply it; pages read it to offer
only the buttons a person may press. Later capabilities (scheduling, sessions) add their rows here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

from .models import Status


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    needs_reason: bool
    label: str
    # Manual transitions are buttons on the request page; the others happen through their own service
    # (a mediator accepting an offer assigns the request; planning its first appointment schedules it).
    manual: bool = True
    # Social workers act on their own office's requests, coordinators on their district's: checked by
    # requests_app.selectors.may(); administrators may do everything.


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", (Status.DRAFT,), Status.SUBMITTED, (Role.SOCIAL_WORKER,), False, _("Submit")),
        Transition("reject", (Status.SUBMITTED,), Status.REJECTED, (Role.COORDINATOR,), True, _("Reject")),
        Transition("accept", (Status.SUBMITTED,), Status.MATCHING, (Role.COORDINATOR,), False, _("Take in charge")),
        Transition(
            "cancel",
            (Status.DRAFT, Status.SUBMITTED, Status.MATCHING, Status.ASSIGNED, Status.SCHEDULED),
            Status.CANCELLED,
            (Role.SOCIAL_WORKER, Role.COORDINATOR),
            True,
            _("Cancel the request"),
        ),
        Transition("close", (Status.EVALUATED,), Status.CLOSED, (Role.COORDINATOR,), False, _("Close")),
        Transition(
            "assign",
            (Status.MATCHING,),
            Status.ASSIGNED,
            (Role.COORDINATOR, Role.MEDIATOR),
            False,
            _("Assign the mediator"),
            manual=False,
        ),
        Transition(
            "schedule",
            (Status.ASSIGNED,),
            Status.SCHEDULED,
            (Role.COORDINATOR,),
            False,
            _("Plan the first appointment"),
            manual=False,
        ),
        # Validating the last report of a request whose sessions are all done completes it; so does the
        # coordinator's "mark completed" once nothing is planned and every session is validated (report_services).
        Transition(
            "complete",
            (Status.SCHEDULED,),
            Status.COMPLETED,
            (Role.COORDINATOR,),
            False,
            _("Mark completed"),
            manual=False,
        ),
        # Saving the office's evaluation of the mediation (report_services.evaluation_save).
        Transition(
            "evaluate",
            (Status.COMPLETED,),
            Status.EVALUATED,
            (Role.SOCIAL_WORKER,),
            False,
            _("Evaluate the mediation"),
            manual=False,
        ),
    ]
}


MANUAL = {name: t for name, t in TRANSITIONS.items() if t.manual}


def allowed_targets(status: str) -> set[str]:
    return {t.target for t in TRANSITIONS.values() if status in t.sources}
