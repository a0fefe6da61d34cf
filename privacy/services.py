"""Every write of privacy: anonymising requests past retention, erasing a mediator's personal data.

Keyword-only, one transaction each, domain errors in the user's language. Neither touches the read audit: it is
append-only (audit.models) and holds ids and keyed hashes, no free text; an erasure is recorded in it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, Membership
from accounts.scoping import Actor
from audit.models import ReadEvent
from audit.services import record
from core.errors import DomainError, NotAllowed
from mediators.models import Absence, Mediator, Qualification, Training
from requests_app.models import Comment, MediationRequest, StatusChange
from scheduling.models import Appointment, Offer
from sessions_app.models import Evaluation, EvaluationScore, SessionReport

from . import selectors
from .models import Anonymisation, MediatorErasure

logger = logging.getLogger(__name__)

# --- Retention --------------------------------------------------------------------------------------------------------

# Free text erased on anonymisation, model by model; everything else (counts, languages, countries, dates, statuses,
# appointments and their lengths, travel and expenses) stays so that past reports still add up.
# (model, how it reaches the request's id, the fields and what they become).
ERASED_TEXT = [
    (MediationRequest, "pk", {"goal": "", "sensitive_notes": "", "place": ""}),
    (Comment, "request_id", {"body": ""}),
    (StatusChange, "request_id", {"reason": ""}),
    (Offer, "request_id", {"decline_reason": ""}),
    (Appointment, "request_id", {"place": "", "cancel_reason": ""}),
    (
        SessionReport,
        "appointment__request_id",
        {"sensitive_notes": "", "outcome_reason": "", "expenses_note": "", "send_back_reason": ""},
    ),
    (Evaluation, "request_id", {"comment": ""}),
    (EvaluationScore, "evaluation__request_id", {"comment": ""}),
]


def pseudonym(request_id: int) -> str:
    """The case code an anonymised request keeps: stable, unique, and saying nothing about the family."""
    return f"ANON-{request_id}"


def request_anonymise(*, request_id: int, now: datetime | None = None) -> bool:
    """Erase the free text of one finished request and replace its case code. False when there was nothing to do
    (already anonymised, or no longer eligible): running it twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the request: two runs of the job at once anonymise it once.
        locked = MediationRequest.objects.select_for_update().filter(pk=request_id).first()
        if locked is None or not selectors.requests_past_retention(now=now).filter(pk=request_id).exists():
            return False
        # Querysets' update(): no model save(), no auto_now, no validation of the now-empty required text.
        for model, path, fields in ERASED_TEXT:
            model.objects.filter(**{path: request_id}).update(**fields)
        MediationRequest.objects.filter(pk=request_id).update(case_code=pseudonym(request_id))
        Anonymisation.objects.create(request_id=request_id, at=now)
    return True


def requests_anonymise_expired(*, now: datetime | None = None, dry_run: bool = False) -> list[int]:
    """Anonymise every closed or cancelled request past ``RETENTION_YEARS``; with ``dry_run``, only say which.
    One transaction per request: a failure leaves the others done, and the next run picks it up again."""
    now = now or timezone.now()
    ids = list(selectors.requests_past_retention(now=now).order_by("pk").values_list("pk", flat=True))
    if dry_run:
        return ids
    done = [pk for pk in ids if request_anonymise(request_id=pk, now=now)]
    if done:
        logger.info("Anonymised %d request(s) past the retention period.", len(done))
    return done


# --- A mediator's personal data ---------------------------------------------------------------------------------------

ERASED_NAME = "Mediatore cancellato"


def mediator_erase(*, actor: Actor, mediator: Mediator, path: str) -> Mediator:
    """Erase a mediator's personal data, keeping what reports count: appointments and their hours, languages and
    countries, districts, provider, gender, rates. The account is deactivated and its e-mail replaced; the erasure
    is recorded in the read audit. Administrators only."""
    if not actor.is_admin:
        raise NotAllowed(_("Only administrators can erase a mediator's personal data."))
    with transaction.atomic():
        mediator = Mediator.objects.select_for_update().get(pk=mediator.pk)
        if MediatorErasure.objects.filter(mediator=mediator).exists():
            raise DomainError(_("The personal data of this mediator were already erased."))
        user = mediator.user
        old_email = mediator.email
        Mediator.objects.filter(pk=mediator.pk).update(
            first_name=ERASED_NAME,
            last_name=str(mediator.pk),
            email=f"mediatore-cancellato-{mediator.pk}@cancellato.invalid",
            phone="",
            cultural_areas="",
            coordinator_notes="",
            calendar_token=None,
            is_active=False,
            updated_at=timezone.now(),
        )
        Training.objects.filter(mediator=mediator).update(title="", body="")
        Qualification.objects.filter(mediator=mediator).update(title="", issued_by="")
        Absence.objects.filter(mediator=mediator).update(reason="")
        Offer.objects.filter(mediator=mediator).update(decline_reason="")
        emails = {old_email.lower()}
        if user is not None:
            emails.add(user.email.lower())
            new_email = f"utente-cancellato-{user.pk}@cancellato.invalid"
            user.email = new_email
            user.first_name = ""
            user.last_name = ""
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
            Membership.objects.filter(user=user).update(is_active=False)
            _forget_login_addresses(user)
        for email in emails:
            Invitation.objects.filter(email__iexact=email).update(
                email=f"mediatore-cancellato-{mediator.pk}@cancellato.invalid", first_name="", last_name=""
            )
        MediatorErasure.objects.create(mediator=mediator, by=actor.user)
        mediator.refresh_from_db()
        record(actor=actor, kind=ReadEvent.Kind.ERASURE, path=path, obj=mediator)
    return mediator


def _forget_login_addresses(user) -> None:
    # allauth keeps its own copy of the login e-mail.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
