"""Every write about requests: drafts, the transitions of their life, comments, notifications.

Keyword-only, one transaction each, domain errors in the user's language. Notifications are rows written in the
same transaction; their e-mails leave through a task enqueued with ``transaction.on_commit``, so a rolled-back
change notifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Office, Role
from accounts.scoping import Actor
from core.errors import DomainError, NotAllowed
from core.figures import facts_changed
from notifications.models import Notification
from notifications.services import notify

from . import selectors
from .models import (
    Comment,
    MediationRequest,
    OfficeLanguage,
    ProposedSlot,
    RequestCountry,
    RequestLanguage,
    Status,
    StatusChange,
    Urgency,
)
from .transitions import TRANSITIONS

DRAFT_FIELDS = [
    "case_code",
    "service_kind",
    "setting",
    "preferred_gender",
    "urgency",
    "deadline",
    "adults",
    "minors",
    "goal",
    "expected_sessions",
    "session_minutes",
    "mode",
    "place",
    "sensitive_notes",
]


# --- Drafts -----------------------------------------------------------------------------------------------------------


def _check_office(actor: Actor, office: Office) -> None:
    if actor.is_admin:
        return
    if actor.role != Role.SOCIAL_WORKER or office.pk not in actor.office_ids:
        raise NotAllowed(_("Only the social workers of an office file its requests."))


def _replace_children(
    request: MediationRequest,
    languages: Iterable[dict],
    countries: Iterable[str],
    slots: Iterable[tuple[datetime, datetime]],
) -> None:
    request.languages.all().delete()
    RequestLanguage.objects.bulk_create(
        [
            RequestLanguage(request=request, code=entry["code"], variant=(entry.get("variant") or "").strip())
            for entry in languages
        ]
    )
    request.countries.all().delete()
    RequestCountry.objects.bulk_create(
        [RequestCountry(request=request, code=c.upper()) for c in sorted(set(countries))]
    )
    request.slots.all().delete()
    slots = list(slots)
    for starts_at, ends_at in slots:
        if ends_at <= starts_at:
            raise DomainError(_("Each proposed time must end after it starts."), field="slots")
    ProposedSlot.objects.bulk_create([ProposedSlot(request=request, starts_at=s, ends_at=e) for s, e in slots])


def _apply_fields(request: MediationRequest, fields: dict) -> None:
    for name in DRAFT_FIELDS:
        if name in fields:
            setattr(request, name, fields[name] if fields[name] is not None or name == "deadline" else "")
    if request.urgency != Urgency.URGENT:
        request.deadline = None
    try:
        request.full_clean(exclude=["office", "requester", "copied_from"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None


def _save(request: MediationRequest) -> None:
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise DomainError(_("Your office already has a request with this case code."), field="case_code") from None


@transaction.atomic
def request_save_draft(
    *,
    actor: Actor,
    office: Office,
    fields: dict,
    languages: Iterable[dict] = (),
    countries: Iterable[str] = (),
    slots: Iterable[tuple[datetime, datetime]] = (),
    request: MediationRequest | None = None,
) -> MediationRequest:
    """Create a draft, or change one. Only drafts can be changed, only by the office's social workers."""
    _check_office(actor, office)
    if request is None:
        request = MediationRequest(office=office, requester=actor.user)
    elif request.status != "draft":
        raise DomainError(_("Only a draft can be changed: this request was already submitted."))
    _apply_fields(request, fields)
    _save(request)
    _replace_children(request, languages, countries, slots)
    office_languages_note(request=request)
    return request


# --- The languages of the lists' menus (requests_app.models.OfficeLanguage) -------------------------------------------


def office_languages_note(*, request: MediationRequest) -> None:
    """Add the languages of ``request`` to its office's menu rows (as a draft's or a submitted request's), and forget
    the office's cached menu, now and once the transaction commits (a page computing it meanwhile would keep the old
    menu for an hour). Called within the service's transaction: a rolled-back change adds nothing."""
    codes = set(RequestLanguage.objects.filter(request=request).values_list("code", flat=True))
    submitted = request.status != Status.DRAFT
    if codes:
        OfficeLanguage.objects.bulk_create(
            [OfficeLanguage(office_id=request.office_id, submitted=submitted, code=code) for code in sorted(codes)],
            ignore_conflicts=True,
        )
    office_id = request.office_id
    selectors.forget_request_languages(office_id=office_id)
    transaction.on_commit(lambda: selectors.forget_request_languages(office_id=office_id))


def office_languages_rebuild() -> int:
    """Write the menus' rows again from the requests (nightly, and after a bulk load that went around the services,
    such as ``reporting_scale`` or the region bench): languages no request asks for any more leave the menus. One
    statement each for the deletion and the insertion, in one transaction; the cached menus are then forgotten."""
    language, request = RequestLanguage._meta.db_table, MediationRequest._meta.db_table
    with transaction.atomic():
        OfficeLanguage.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {OfficeLanguage._meta.db_table} (office_id, submitted, code) "  # noqa: S608 (table names from the models)
                f"SELECT DISTINCT r.office_id, r.status <> %s, l.code FROM {language} l "
                f"JOIN {request} r ON r.id = l.request_id",
                [Status.DRAFT.value],
            )
            added = cursor.rowcount
    transaction.on_commit(lambda: selectors.forget_request_languages_everywhere())
    return added


# --- Transitions ------------------------------------------------------------------------------------------------------


def apply_transition(*, actor: Actor, request: MediationRequest, name: str, reason: str = "") -> MediationRequest:
    transition = TRANSITIONS[name]
    # Lock the row: two coordinators pressing "reject" and "take in charge" at once must not both succeed.
    locked = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=request.pk)
    if locked.status not in transition.sources:
        raise DomainError(
            _("This request is “%(status)s”: it cannot become “%(target)s” now.")
            % {"status": locked.get_status_display(), "target": Status(transition.target).label}
        )
    if not selectors.may(user=actor.user, request=locked, transition=transition):
        raise NotAllowed(_("You cannot do this on this request."))
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise DomainError(_("Say why: the reason is kept in the request's history."), field="reason")
    leaving_draft = locked.status == Status.DRAFT
    previous, locked.status = locked.status, transition.target
    update = ["status", "updated_at"]
    if transition.target == "submitted":
        locked.submitted_at = timezone.now()
        update.append("submitted_at")
    locked.save(update_fields=update)
    if leaving_draft:
        # Out of the drafts, its languages show in the district's and the province's filter menus.
        office_languages_note(request=locked)
    # The history row once the request has its new state: who listens to the history (the API's webhooks) sees the
    # request as it now is.
    StatusChange.objects.create(
        request=locked, from_status=previous, to_status=transition.target, by=actor.user, reason=reason
    )
    request.status, request.submitted_at = locked.status, locked.submitted_at
    if locked.submitted_at is not None:  # a draft's figures: none
        facts_changed(request_id=locked.pk)
    return locked


@transaction.atomic
def request_submit(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """Send a draft to the district: it must name at least one language; the coordinators are told."""
    if not request.languages.exists():
        raise DomainError(_("Add at least one language before submitting."), field="languages")
    if request.urgency == Urgency.URGENT and request.deadline and request.deadline < timezone.localdate():
        raise DomainError(_("The date the request is needed by is already past."), field="deadline")
    request = apply_transition(actor=actor, request=request, name="submit")
    notify(
        recipients=selectors.district_coordinators(request=request),
        request=request,
        kind=Notification.Kind.SUBMITTED,
        actor=actor.user,
    )
    return request


@transaction.atomic
def request_reject(*, actor: Actor, request: MediationRequest, reason: str) -> MediationRequest:
    request = apply_transition(actor=actor, request=request, name="reject", reason=reason)
    notify(recipients=[request.requester], request=request, kind=Notification.Kind.REJECTED, actor=actor.user)
    return request


@transaction.atomic
def request_accept(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """The coordinator takes the request in charge: it moves to the search for a mediator."""
    request = apply_transition(actor=actor, request=request, name="accept")
    notify(recipients=[request.requester], request=request, kind=Notification.Kind.ACCEPTED, actor=actor.user)
    return request


@transaction.atomic
def request_cancel(*, actor: Actor, request: MediationRequest, reason: str) -> MediationRequest:
    was = request.status
    request = apply_transition(actor=actor, request=request, name="cancel", reason=reason)
    recipients = [request.requester]
    if was != "draft" and selectors.is_office_member(user=actor.user, request=request):
        # The office withdrew it: the coordinators who may be working on it must know.
        recipients += selectors.district_coordinators(request=request)
    notify(recipients=recipients, request=request, kind=Notification.Kind.CANCELLED, actor=actor.user)
    return request


@transaction.atomic
def request_close(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    request = apply_transition(actor=actor, request=request, name="close")
    notify(recipients=[request.requester], request=request, kind=Notification.Kind.CLOSED, actor=actor.user)
    return request


def _free_case_code(office: Office, code: str) -> str:
    taken = set(
        MediationRequest.objects.filter(office=office, case_code__startswith=code[:24]).values_list(
            "case_code", flat=True
        )
    )
    base = code[:24]
    for number in range(2, 1000):
        candidate = f"{base}-{number}"
        if candidate not in taken:
            return candidate
    raise DomainError(_("Choose a new case code for this request."), field="case_code")


@transaction.atomic
def request_copy(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """ "Request again": a new draft with the same content, languages and countries, without the past times.

    Case codes are unique per office, so the copy gets the next free one (TM-2025-014-2); it can be changed.
    """
    if not selectors.can_copy(user=actor.user, request=request):
        raise NotAllowed(_("Only the requesting office can request this again."))
    copy = MediationRequest(
        office=request.office,
        requester=actor.user,
        copied_from=request,
        **{name: getattr(request, name) for name in DRAFT_FIELDS},
    )
    copy.case_code = _free_case_code(request.office, request.case_code)
    copy.status = "draft"
    if copy.deadline and copy.deadline < timezone.localdate():
        copy.urgency, copy.deadline = Urgency.ORDINARY, None
    _save(copy)
    _replace_children(
        copy,
        [{"code": x.code, "variant": x.variant} for x in request.languages.all()],
        [c.code for c in request.countries.all()],
        [],
    )
    office_languages_note(request=copy)
    return copy


# --- Comments ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, actor: Actor, request: MediationRequest, body: str) -> Comment:
    """A message in the thread between the office and the coordinators; the other side is notified."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a message."), field="body")
    if len(body) > 4000:
        raise DomainError(_("The message is too long: at most 4,000 characters."), field="body")
    if not selectors.can_comment(user=actor.user, request=request):
        raise NotAllowed(_("You cannot write in this thread."))
    comment = Comment.objects.create(request=request, author=actor.user, body=body)
    if selectors.is_office_member(user=actor.user, request=request):
        recipients = selectors.district_coordinators(request=request)
    else:
        recipients = [request.requester]
    notify(recipients=recipients, request=request, kind=Notification.Kind.COMMENT, actor=actor.user)
    return comment
