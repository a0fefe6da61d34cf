"""Every write about requests: drafts, the transitions of their life, comments, notifications.

Keyword-only, one transaction each, domain errors in the user's language. Notifications are rows written in the
same transaction; their e-mails leave through a task enqueued with ``transaction.on_commit``, so a rolled-back
change notifies nobody.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Office, Role, User
from accounts.scoping import Actor, actor_for
from mediators.models import Mediator
from mediazione import outbox
from mediazione.errors import DomainError, NotAllowed

from . import notification_text as text
from . import selectors, series
from .models import (
    Appointment,
    AppointmentSeries,
    Comment,
    MediationRequest,
    Notification,
    Offer,
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


# --- Notifications ----------------------------------------------------------------------------------------------------


def _notify(
    *,
    recipients: Iterable[User],
    request: MediationRequest,
    kind: str,
    actor: User | None,
    details: dict | None = None,
) -> list[Notification]:
    """Write the in-app notifications now and send their e-mails after the commit. ``actor`` is who did it (None:
    the portal itself), never told of their own act; ``details`` are the facts the message tells (day, place…)."""
    from .tasks import send_notification_emails_task

    people = {user.pk: user for user in recipients if actor is None or user.pk != actor.pk}
    notifications = Notification.objects.bulk_create(
        [
            Notification(recipient=user, request=request, kind=kind, actor=actor, details=details or {})
            for user in people.values()
        ]
    )
    ids = [n.pk for n in notifications]
    if ids:
        outbox.send_on_commit(send_notification_emails_task, ids)
    return notifications


def notification_send_emails(*, notification_ids: list[int]) -> int:
    """E-mail each notification once, in its recipient's language. Returns how many were sent."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient", "request__office__district", "actor")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None:
                # Already e-mailed by an earlier run of the task: nothing to do.
                continue
            recipient = notification.recipient
            with translation.override(recipient.language):
                subject = (
                    f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.get_kind_display()}"
                    f" · {notification.request.case_code}"
                )
                body = render_to_string("requests_app/email/notification.txt", _email_context(notification))
            send_mail(subject, body, None, [recipient.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def _email_context(notification: Notification) -> dict:
    """What a notification's e-mail says: the sentence of what happened, then the facts one per line."""
    from django.conf import settings

    from . import notification_text as text

    request, d = notification.request, notification.details or {}
    facts = [
        (
            _("Request"),
            f"{request.case_code} · {request.get_service_kind_display()}, "
            + ", ".join(str(language) for language in request.languages.all()),
        ),
        (_("Office"), request.office.name),
    ]
    if "starts_at" in d:
        facts.append((_("When"), text.span(d)))
        facts.append((_("Where"), text.where(d)))
    if d.get("mediator"):
        facts.append((_("Mediator"), d["mediator"]))
    if notification.actor_id:
        facts.append((_("By"), text.person(notification.actor)))
    return {
        "notification": notification,
        "request": request,
        "recipient": notification.recipient,
        "what": text.describe(notification),
        "facts": facts,
        "url": settings.PORTAL_BASE_URL + text.path_for(notification),
    }


@transaction.atomic
def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or, without ids, all) of one's own notifications as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


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
    return request


# --- Transitions ------------------------------------------------------------------------------------------------------


def _transition(*, actor: Actor, request: MediationRequest, name: str, reason: str = "") -> MediationRequest:
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
    StatusChange.objects.create(
        request=locked, from_status=locked.status, to_status=transition.target, by=actor.user, reason=reason
    )
    locked.status = transition.target
    update = ["status", "updated_at"]
    if transition.target == "submitted":
        locked.submitted_at = timezone.now()
        update.append("submitted_at")
    locked.save(update_fields=update)
    request.status, request.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def request_submit(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """Send a draft to the district: it must name at least one language; the coordinators are told."""
    if not request.languages.exists():
        raise DomainError(_("Add at least one language before submitting."), field="languages")
    if request.urgency == Urgency.URGENT and request.deadline and request.deadline < timezone.localdate():
        raise DomainError(_("The date the request is needed by is already past."), field="deadline")
    request = _transition(actor=actor, request=request, name="submit")
    _notify(
        recipients=selectors.district_coordinators(request=request),
        request=request,
        kind=Notification.Kind.SUBMITTED,
        actor=actor.user,
    )
    return request


@transaction.atomic
def request_reject(*, actor: Actor, request: MediationRequest, reason: str) -> MediationRequest:
    request = _transition(actor=actor, request=request, name="reject", reason=reason)
    _notify(recipients=[request.requester], request=request, kind=Notification.Kind.REJECTED, actor=actor.user)
    return request


@transaction.atomic
def request_accept(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """The coordinator takes the request in charge: it moves to the search for a mediator."""
    request = _transition(actor=actor, request=request, name="accept")
    _notify(recipients=[request.requester], request=request, kind=Notification.Kind.ACCEPTED, actor=actor.user)
    return request


@transaction.atomic
def request_cancel(*, actor: Actor, request: MediationRequest, reason: str) -> MediationRequest:
    was = request.status
    request = _transition(actor=actor, request=request, name="cancel", reason=reason)
    recipients = [request.requester]
    if was != "draft" and selectors.is_office_member(user=actor.user, request=request):
        # The office withdrew it: the coordinators who may be working on it must know.
        recipients += selectors.district_coordinators(request=request)
    _notify(recipients=recipients, request=request, kind=Notification.Kind.CANCELLED, actor=actor.user)
    return request


@transaction.atomic
def request_close(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    request = _transition(actor=actor, request=request, name="close")
    _notify(recipients=[request.requester], request=request, kind=Notification.Kind.CLOSED, actor=actor.user)
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
    _notify(recipients=recipients, request=request, kind=Notification.Kind.COMMENT, actor=actor.user)
    return comment


# --- Offers -----------------------------------------------------------------------------------------------------------


def offer_send_email(*, offer_id: int, kind: str) -> bool:
    """Tell the mediator about their offer, in their language; an open offer carries the signed answer links, the
    others a link to the page that shows the outcome (the request once it is theirs, their offers otherwise)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from .offer_links import make_token

    offer = (
        Offer.objects.select_related("request__office__district", "mediator__user")
        .prefetch_related("request__languages")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        return False
    language = offer.mediator.user.language if offer.mediator.user_id else settings.LANGUAGE_CODE
    links = {}
    if kind == Notification.Kind.OFFER and offer.status == Offer.Status.OPEN and offer.link_nonce:
        for action in ("accept", "decline"):
            links[action] = settings.PORTAL_BASE_URL + reverse("requests:offer_link", args=[make_token(offer, action)])
    request = offer.request
    if kind == Notification.Kind.OFFER_CONFIRMED and offer.mediator.user_id:
        url = settings.PORTAL_BASE_URL + request.get_absolute_url()
    elif offer.mediator.user_id:
        url = settings.PORTAL_BASE_URL + reverse("requests:offers")
    else:
        # No account: the e-mail links are the only way in, and only an open offer has them.
        url = ""
    with translation.override(language):
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{Notification.Kind(kind).label} · {request.case_code}"
        body = render_to_string(
            "requests_app/email/offer.txt",
            {
                "offer": offer,
                "kind": kind,
                "links": links,
                "url": url,
                "request": request,
                "languages": ", ".join(str(language) for language in request.languages.all()),
                "place": text.where({"place": request.place, "mode": request.mode}),
                "sessions": ngettext(
                    "%(counter)s session of %(minutes)s minutes",
                    "%(counter)s sessions of %(minutes)s minutes",
                    request.expected_sessions,
                )
                % {"counter": request.expected_sessions, "minutes": request.session_minutes},
                "answer_by": text.when(offer.expires_at),
            },
        )
    send_mail(subject, body, None, [offer.mediator.email])
    return True


def _offer_notify(*, offer: Offer, kind: str, actor: User | None) -> None:
    """Offers are told to the mediator's account when there is one (the e-mail link works without it)."""
    from .tasks import send_offer_email_task

    if offer.mediator.user_id:
        Notification.objects.create(
            recipient_id=offer.mediator.user_id, request=offer.request, kind=kind, actor=actor, offer=offer
        )
    outbox.send_on_commit(send_offer_email_task, offer.pk, kind)


@transaction.atomic
def offers_create(
    *,
    actor: Actor,
    request: MediationRequest,
    tiers: list[list[Mediator]],
    answer_within_hours: int = 24,
    next_tier_after_hours: int = 24,
) -> list[Offer]:
    """Offer a request in ``matching`` to mediators, tier by tier: the first tier now, each next one after a wait.

    Only candidates may be offered: mediators the coordinator sees who meet the hard conditions.
    """
    from .matching import exclusions

    locked = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=request.pk)
    if locked.status != Status.MATCHING:
        raise DomainError(_("Only a request that is looking for a mediator can be offered."))
    if not selectors.is_district_coordinator(user=actor.user, request=locked) and not actor.is_admin:
        raise NotAllowed(_("Only the district's coordinators make offers."))
    tiers = [list(tier) for tier in tiers if tier]
    if not tiers:
        raise DomainError(_("Choose at least one mediator."), field="mediators")
    if not 1 <= answer_within_hours <= 24 * 14 or not 1 <= next_tier_after_hours <= 24 * 14:
        raise DomainError(_("Waits go from one hour to two weeks."), field="answer_within_hours")
    already = set(locked.offers.values_list("mediator_id", flat=True))
    now = timezone.now()
    offers = []
    for number, tier in enumerate(tiers, start=1):
        release_at = now + timedelta(hours=next_tier_after_hours * (number - 1))
        for mediator in tier:
            if mediator.pk in already:
                raise DomainError(
                    _("%(name)s already has an offer for this request.") % {"name": mediator.full_name},
                    field="mediators",
                )
            reasons = exclusions(user=actor.user, request=locked, mediator=mediator)
            if reasons:
                raise DomainError(
                    _("%(name)s cannot take this request: %(reasons)s.")
                    % {"name": mediator.full_name, "reasons": "; ".join(reasons)},
                    field="mediators",
                )
            already.add(mediator.pk)
            offers.append(
                Offer(
                    request=locked,
                    mediator=mediator,
                    tier=number,
                    status=Offer.Status.OPEN if number == 1 else Offer.Status.QUEUED,
                    release_at=release_at,
                    expires_at=release_at + timedelta(hours=answer_within_hours),
                    created_by=actor.user,
                    link_nonce=secrets.token_hex(16),
                )
            )
    Offer.objects.bulk_create(offers)
    for offer in offers:
        if offer.status == Offer.Status.OPEN:
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER, actor=actor.user)
    return offers


def _close_other_offers(request: MediationRequest, winner: Offer, actor: User | None) -> None:
    others = list(request.offers.filter(status__in=[Offer.Status.OPEN, Offer.Status.QUEUED]).exclude(pk=winner.pk))
    now = timezone.now()
    for offer in others:
        was_open = offer.status == Offer.Status.OPEN
        offer.status, offer.answered_at, offer.link_nonce = Offer.Status.WITHDRAWN, now, ""
        offer.save(update_fields=["status", "answered_at", "link_nonce"])
        if was_open:
            # Told: someone else took it. Queued offers were never sent, so there is nothing to tell.
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER_TAKEN, actor=actor)


@transaction.atomic
def offer_accept(*, offer: Offer, by: User | None, by_phone: bool = False) -> Offer:
    """The mediator says yes. The first acceptance wins: the request's row is locked, so of twenty mediators
    pressing "accept" at the same instant exactly one is confirmed and the others are told it was taken.

    ``by`` is the mediator's account (or None when the signed e-mail link was used); with ``by_phone`` it is the
    coordinator recording an acceptance taken on the phone.
    """
    request = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=offer.request_id)
    offer = Offer.objects.select_for_update(of=("self",)).select_related("mediator").get(pk=offer.pk)
    if by_phone:
        if by is None or not (selectors.is_district_coordinator(user=by, request=request) or actor_for(by).is_admin):
            raise NotAllowed(_("Only the district's coordinators record an acceptance taken by phone."))
    elif by is not None and offer.mediator.user_id != by.pk:
        raise NotAllowed(_("This offer was made to another mediator."))
    if offer.status == Offer.Status.ACCEPTED:
        return offer
    if request.status != Status.MATCHING or request.assigned_mediator_id:
        raise DomainError(_("Someone else has already taken this request. Thank you all the same."))
    if offer.status != Offer.Status.OPEN or (offer.expires_at <= timezone.now() and not by_phone):
        raise DomainError(_("This offer is no longer open."))
    now = timezone.now()
    offer.status, offer.answered_at, offer.link_nonce = Offer.Status.ACCEPTED, now, ""
    offer.by_phone = by_phone
    offer.recorded_by = by if by_phone else None
    offer.save(update_fields=["status", "answered_at", "link_nonce", "by_phone", "recorded_by"])
    request.assigned_mediator = offer.mediator
    request.save(update_fields=["assigned_mediator", "updated_at"])
    StatusChange.objects.create(
        request=request,
        from_status=request.status,
        to_status=Status.ASSIGNED,
        by=by or offer.mediator.user or offer.created_by,
        reason=_("Offer accepted by phone") if by_phone else "",
    )
    request.status = Status.ASSIGNED
    request.save(update_fields=["status", "updated_at"])
    _close_other_offers(request, offer, by)
    _offer_notify(offer=offer, kind=Notification.Kind.OFFER_CONFIRMED, actor=by)
    # Who did it: the mediator (through the e-mail link ``by`` is None, yet it is still them), or the coordinator
    # who recorded a yes given on the phone. Never the coordinator who made the offer: they would not be told.
    _notify(
        recipients=[request.requester, *selectors.district_coordinators(request=request)],
        request=request,
        kind=Notification.Kind.ASSIGNED,
        actor=by if by is not None else offer.mediator.user,
        details={"mediator": offer.mediator.full_name, "by_phone": by_phone},
    )
    return offer


@transaction.atomic
def offer_decline(*, offer: Offer, by: User | None, reason: str = "") -> Offer:
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("mediator__user", "request__office")
        .get(pk=offer.pk)
    )
    if by is not None and offer.mediator.user_id != by.pk:
        raise NotAllowed(_("This offer was made to another mediator."))
    if offer.status != Offer.Status.OPEN:
        raise DomainError(_("This offer is no longer open."))
    offer.status, offer.answered_at, offer.link_nonce = Offer.Status.DECLINED, timezone.now(), ""
    offer.decline_reason = (reason or "").strip()[:300]
    offer.save(update_fields=["status", "answered_at", "link_nonce", "decline_reason"])
    _notify(
        recipients=selectors.district_coordinators(request=offer.request),
        request=offer.request,
        kind=Notification.Kind.OFFER_DECLINED,
        actor=by if by is not None else offer.mediator.user,
        details={"mediator": offer.mediator.full_name},
    )
    return offer


@transaction.atomic
def offer_withdraw(*, actor: Actor, offer: Offer) -> Offer:
    offer = Offer.objects.select_for_update(of=("self",)).select_related("request__office", "mediator").get(pk=offer.pk)
    if not (selectors.is_district_coordinator(user=actor.user, request=offer.request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators withdraw offers."))
    if offer.status not in (Offer.Status.OPEN, Offer.Status.QUEUED):
        raise DomainError(_("This offer is no longer open."))
    was_open = offer.status == Offer.Status.OPEN
    offer.status, offer.answered_at, offer.link_nonce = Offer.Status.WITHDRAWN, timezone.now(), ""
    offer.save(update_fields=["status", "answered_at", "link_nonce"])
    if was_open:
        _offer_notify(offer=offer, kind=Notification.Kind.OFFER_WITHDRAWN, actor=actor.user)
    return offer


def offers_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled task: release the tiers whose wait is over, expire the offers nobody answered."""
    now = now or timezone.now()
    released = expired = 0
    for offer_id in Offer.objects.filter(status=Offer.Status.QUEUED, release_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            offer = Offer.objects.select_for_update(of=("self",)).select_related("request").get(pk=offer_id)
            if offer.status != Offer.Status.QUEUED:
                continue
            if offer.request.status != Status.MATCHING:
                offer.status = Offer.Status.WITHDRAWN
                offer.save(update_fields=["status"])
                continue
            offer.status = Offer.Status.OPEN
            offer.save(update_fields=["status"])
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER, actor=offer.created_by)
            released += 1
    for offer_id in Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            offer = Offer.objects.select_for_update(of=("self",)).get(pk=offer_id)
            if offer.status != Offer.Status.OPEN:
                continue
            # Silence is never acceptance.
            offer.status, offer.link_nonce = Offer.Status.EXPIRED, ""
            offer.save(update_fields=["status", "link_nonce"])
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER_EXPIRED, actor=None)
            expired += 1
    return {"released": released, "expired": expired}


# --- Appointments -----------------------------------------------------------------------------------------------------


def _check_free(*, mediator: Mediator, starts_at: datetime, ends_at: datetime, place: str, mode: str, ignore=None):
    """No overlap with the mediator's live appointments, for in-person work a travel buffer before and after an
    appointment in another place, and not on a day of absence: the same rules as a series (``series.conflicts``)."""
    found = series.conflicts(
        mediator=mediator,
        spans=[series.Span(starts_at, ends_at)],
        place=place,
        mode=mode,
        ignore_ids={ignore.pk} if ignore is not None else frozenset(),
    )
    if found:
        raise DomainError(found[0].reason, field="starts_at")


@transaction.atomic
def appointment_create(
    *, actor: Actor, request: MediationRequest, starts_at: datetime, ends_at: datetime, place: str = "", mode: str = ""
) -> Appointment:
    """Plan a session with the assigned mediator. The mediator's row is locked while checking, and on PostgreSQL
    the exclusion constraint refuses an overlap even if two coordinators plan at the same instant."""
    request = _request_to_plan(actor=actor, request=request)
    _check_series_times(starts_at=starts_at, ends_at=ends_at)
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=request.assigned_mediator_id)
    mode = mode or request.mode
    place = (place or request.place).strip()
    _check_free(mediator=mediator, starts_at=starts_at, ends_at=ends_at, place=place, mode=mode)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                request=request,
                mediator=mediator,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                mode=mode,
                created_by=actor.user,
            )
    except IntegrityError:
        raise DomainError(_("The mediator was booked at this time a moment ago: choose another time.")) from None
    _planned(
        actor=actor,
        request=request,
        mediator=mediator,
        kind=Notification.Kind.APPOINTMENT,
        details=text.facts_of_appointment(appointment),
    )
    return appointment


def _request_to_plan(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """The request, locked, if the actor may plan its appointments now (a mediator assigned); refused otherwise."""
    request = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=request.pk)
    if not (selectors.is_district_coordinator(user=actor.user, request=request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators plan appointments."))
    if request.status not in (Status.ASSIGNED, Status.SCHEDULED) or request.assigned_mediator_id is None:
        raise DomainError(_("Appointments are planned once a mediator is assigned."))
    return request


def _planned(*, actor: Actor, request: MediationRequest, mediator: Mediator, kind: str, details: dict) -> None:
    """After planning: the first appointment moves the request to *scheduled*; the office and the mediator are told."""
    if request.status == Status.ASSIGNED:
        StatusChange.objects.create(
            request=request, from_status=request.status, to_status=Status.SCHEDULED, by=actor.user
        )
        request.status = Status.SCHEDULED
        request.save(update_fields=["status", "updated_at"])
    _notify(
        recipients=[request.requester, *([mediator.user] if mediator.user_id else [])],
        request=request,
        kind=kind,
        actor=actor.user,
        details=details,
    )


@transaction.atomic
def appointment_reschedule(
    *, actor: Actor, appointment: Appointment, starts_at: datetime, ends_at: datetime, reason: str
) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("request__office").get(pk=appointment.pk)
    )
    if not (selectors.is_district_coordinator(user=actor.user, request=appointment.request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators move appointments."))
    if appointment.status != Appointment.Status.PLANNED:
        raise DomainError(_("Only a planned appointment can be moved."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")
    if ends_at <= starts_at or starts_at < timezone.now():
        raise DomainError(_("Choose a future time that ends after it starts."), field="starts_at")
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=appointment.mediator_id)
    _check_free(
        mediator=mediator,
        starts_at=starts_at,
        ends_at=ends_at,
        place=appointment.place,
        mode=appointment.mode,
        ignore=appointment,
    )
    previous_starts_at = appointment.starts_at
    appointment.starts_at, appointment.ends_at = starts_at, ends_at
    appointment.cancel_reason = reason.strip()[:300]
    try:
        with transaction.atomic():
            appointment.save(update_fields=["starts_at", "ends_at", "cancel_reason", "updated_at"])
    except IntegrityError:
        raise DomainError(_("The mediator was booked at this time a moment ago: choose another time.")) from None
    _notify(
        recipients=[appointment.request.requester, *([mediator.user] if mediator.user_id else [])],
        request=appointment.request,
        kind=Notification.Kind.APPOINTMENT_MOVED,
        actor=actor.user,
        details={**text.facts_of_appointment(appointment), "previous_starts_at": previous_starts_at.isoformat()},
    )
    return appointment


LATE_CANCELLATION = timedelta(hours=24)


def _check_cancel(*, actor: Actor, appointment: Appointment, reason: str, void: bool) -> None:
    """The district's coordinators cancel or void; the requesting office may cancel, never void; a reason is kept."""
    request = appointment.request
    office_side = selectors.is_office_member(user=actor.user, request=request)
    if not (
        selectors.is_district_coordinator(user=actor.user, request=request)
        or actor.is_admin
        or (office_side and not void)
    ):
        raise NotAllowed(_("You cannot cancel this appointment."))
    if appointment.status != Appointment.Status.PLANNED:
        raise DomainError(_("Only a planned appointment can be cancelled."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")


def _mark_cancelled(appointment: Appointment, *, reason: str, void: bool, now: datetime) -> None:
    appointment.status = Appointment.Status.VOID if void else Appointment.Status.CANCELLED
    appointment.cancel_reason = reason.strip()[:300]
    appointment.cancelled_at = now
    appointment.late_cancellation = not void and appointment.starts_at - now < LATE_CANCELLATION
    appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "late_cancellation", "updated_at"])


@transaction.atomic
def appointment_cancel(*, actor: Actor, appointment: Appointment, reason: str, void: bool = False) -> Appointment:
    """Cancel (owed if less than 24 hours before: flagged for costs) or void (entered by mistake: nothing owed)."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("request__office", "mediator")
        .get(pk=appointment.pk)
    )
    request = appointment.request
    _check_cancel(actor=actor, appointment=appointment, reason=reason, void=void)
    _mark_cancelled(appointment, reason=reason, void=void, now=timezone.now())
    mediator_user = [appointment.mediator.user] if appointment.mediator.user_id else []
    _notify(
        recipients=[request.requester, *mediator_user, *selectors.district_coordinators(request=request)],
        request=request,
        kind=Notification.Kind.APPOINTMENT_CANCELLED,
        actor=actor.user,
        details=text.facts_of_appointment(appointment),
    )
    return appointment


# --- Recurring appointments -------------------------------------------------------------------------------------------


class SeriesConflicts(DomainError):
    """Some occurrences cannot be planned or moved. Nothing was saved; ``conflicts`` says which and why."""

    def __init__(self, found: list[series.Conflict]):
        super().__init__(
            ngettext(
                "%(count)s date clashes: nothing was saved.",
                "%(count)s dates clash: nothing was saved.",
                len(found),
            )
            % {"count": len(found)}
        )
        self.conflicts = found


def _check_series_times(*, starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at) or ends_at <= starts_at:
        raise DomainError(_("The appointment must end after it starts."), field="ends_at")
    if starts_at < timezone.now():
        raise DomainError(_("The appointment cannot start in the past."), field="starts_at")


@transaction.atomic
def series_create(
    *,
    actor: Actor,
    request: MediationRequest,
    starts_at: datetime,
    ends_at: datetime,
    interval_weeks: int,
    until: date,
    place: str = "",
    mode: str = "",
    skip_conflicts: bool = False,
) -> tuple[AppointmentSeries, list[series.Conflict]]:
    """Plan recurring appointments with the assigned mediator: every ``interval_weeks`` weeks until ``until``.

    Every occurrence is checked first (overlap, travel buffer, absences); if any clashes, nothing is saved and
    ``SeriesConflicts`` lists them, unless ``skip_conflicts`` asks to plan the others and leave those dates out.
    Returns the series and the dates left out."""
    request = _request_to_plan(actor=actor, request=request)
    _check_series_times(starts_at=starts_at, ends_at=ends_at)
    if interval_weeks not in (1, 2, 3, 4):
        raise DomainError(_("Choose how often the appointment repeats."), field="interval_weeks")
    first_day = timezone.localdate(starts_at)
    if until is None or until <= first_day:
        raise DomainError(_("The repetition ends after the first appointment."), field="until")
    if until - first_day > series.MAX_SPAN:
        raise DomainError(_("A series lasts at most a year: plan the rest later."), field="until")
    spans = series.occurrences(starts_at=starts_at, ends_at=ends_at, interval_weeks=interval_weeks, until=until)
    if len(spans) < 2:
        raise DomainError(
            _("With this end date the appointment does not repeat: choose a later date or plan a single one."),
            field="until",
        )
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=request.assigned_mediator_id)
    mode = mode or request.mode
    place = (place or request.place).strip()
    found = series.conflicts(mediator=mediator, spans=spans, place=place, mode=mode)
    if found and not skip_conflicts:
        raise SeriesConflicts(found)
    clashing = {conflict.starts_at for conflict in found}
    spans = [span for span in spans if span.starts_at not in clashing]
    if not spans:
        raise DomainError(_("Every date of the series clashes: nothing was saved."))
    try:
        with transaction.atomic():
            planned = AppointmentSeries.objects.create(
                request=request,
                mediator=mediator,
                interval_weeks=interval_weeks,
                first_starts_at=spans[0].starts_at,
                until=until,
                created_by=actor.user,
            )
            occurrences = Appointment.objects.bulk_create(
                Appointment(
                    request=request,
                    mediator=mediator,
                    series=planned,
                    starts_at=span.starts_at,
                    ends_at=span.ends_at,
                    place=place,
                    mode=mode,
                    created_by=actor.user,
                )
                for span in spans
            )
    except IntegrityError:
        raise DomainError(_("The mediator was booked at one of these times a moment ago: try again.")) from None
    _planned(
        actor=actor,
        request=request,
        mediator=mediator,
        kind=Notification.Kind.SERIES,
        details=text.facts_of_occurrences(occurrences),
    )
    return planned, found


def _series_targets(appointment: Appointment, scope: str) -> list[Appointment]:
    """The planned occurrences a change reaches, locked: this one, this and the following, or all still to come."""
    if scope not in series.SCOPES:
        raise DomainError(_("Choose which appointments of the series to change."), field="scope")
    targets = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("mediator")
        .filter(series_id=appointment.series_id, status=Appointment.Status.PLANNED)
        .order_by("starts_at", "pk")
    )
    if scope == series.FOLLOWING:
        targets = targets.filter(starts_at__gte=appointment.starts_at)
    else:
        # All those still to come, and this one even if its time has passed (it may not be reported yet).
        targets = targets.filter(Q(starts_at__gte=timezone.now()) | Q(pk=appointment.pk))
    return list(targets)


def _clashes(
    targets: list[Appointment],
    *,
    spans: dict[int, series.Span],
    mediator: Mediator | None = None,
    ignore_ids: set[int] | frozenset = frozenset(),
) -> list[series.Conflict]:
    """What clashes if each of ``targets`` took its new time in ``spans`` (with ``mediator``, or its own): one
    conflict check per mediator, place and mode, not one per occurrence. In time order."""
    groups: dict[tuple, list[series.Span]] = {}
    for target in targets:
        who = mediator or target.mediator
        groups.setdefault((who.pk, target.place, target.mode), []).append(spans[target.pk])
    people = {target.mediator.pk: target.mediator for target in targets}
    if mediator is not None:
        people[mediator.pk] = mediator
    found = []
    for (who, place, mode), group in groups.items():
        found += series.conflicts(mediator=people[who], spans=group, place=place, mode=mode, ignore_ids=ignore_ids)
    return sorted(found, key=lambda conflict: conflict.starts_at)


def _locked_occurrence(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("request__office", "mediator")
        .get(pk=appointment.pk)
    )


def _series_recipients(request: MediationRequest, targets: list[Appointment], *, coordinators: bool) -> list[User]:
    users = {request.requester_id: request.requester}
    for target in targets:
        if target.mediator.user_id:
            users[target.mediator.user_id] = target.mediator.user
    if coordinators:
        users.update({user.pk: user for user in selectors.district_coordinators(request=request)})
    return list(users.values())


@transaction.atomic
def series_move(
    *, actor: Actor, appointment: Appointment, scope: str, starts_at: datetime, ends_at: datetime, reason: str
) -> int:
    """Move one occurrence, this and the following ones, or all those still to come: each moves by the same number
    of days to the new time and length. Every new time is checked first; on a clash nothing moves and
    ``SeriesConflicts`` lists them. Returns how many appointments moved."""
    if scope == series.THIS or appointment.series_id is None:
        appointment_reschedule(
            actor=actor, appointment=appointment, starts_at=starts_at, ends_at=ends_at, reason=reason
        )
        return 1
    appointment = _locked_occurrence(appointment)
    request = appointment.request
    if not (selectors.is_district_coordinator(user=actor.user, request=request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators move appointments."))
    if appointment.status != Appointment.Status.PLANNED:
        raise DomainError(_("Only a planned appointment can be moved."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")
    _check_series_times(starts_at=starts_at, ends_at=ends_at)
    targets = _series_targets(appointment, scope)
    here = timezone.localtime(starts_at, series.ROME)
    day_delta = here.date() - timezone.localtime(appointment.starts_at, series.ROME).date()
    moves = {
        target.pk: series.shifted(target, day_delta=day_delta, at=here.time(), duration=ends_at - starts_at)
        for target in targets
    }
    now = timezone.now()
    if any(span.starts_at < now for span in moves.values()):
        raise DomainError(_("Some appointments would move into the past: move fewer of them."), field="scope")
    ignore = set(moves)
    found = _clashes(targets, spans=moves, ignore_ids=ignore)
    if found:
        raise SeriesConflicts(found)
    try:
        with transaction.atomic():
            # Later ones first when moving forward (earlier ones first when moving back): no two occurrences
            # ever overlap on the way, so the PostgreSQL exclusion constraint is never crossed mid-update.
            for target in sorted(targets, key=lambda t: t.starts_at, reverse=day_delta.days > 0):
                target.starts_at, target.ends_at = moves[target.pk].starts_at, moves[target.pk].ends_at
                target.cancel_reason = reason.strip()[:300]
                target.save(update_fields=["starts_at", "ends_at", "cancel_reason", "updated_at"])
    except IntegrityError:
        raise DomainError(_("The mediator was booked at one of these times a moment ago: try again.")) from None
    _notify(
        recipients=_series_recipients(request, targets, coordinators=False),
        request=request,
        kind=Notification.Kind.SERIES_MOVED,
        actor=actor.user,
        details=text.facts_of_occurrences(sorted(targets, key=lambda t: t.starts_at)),
    )
    return len(targets)


@transaction.atomic
def series_cancel(*, actor: Actor, appointment: Appointment, scope: str, reason: str, void: bool = False) -> int:
    """Cancel (or void) one occurrence, this and the following ones, or all those still to come. Each keeps its own
    late-cancellation flag. Returns how many appointments were cancelled."""
    if scope == series.THIS or appointment.series_id is None:
        appointment_cancel(actor=actor, appointment=appointment, reason=reason, void=void)
        return 1
    appointment = _locked_occurrence(appointment)
    request = appointment.request
    _check_cancel(actor=actor, appointment=appointment, reason=reason, void=void)
    targets = _series_targets(appointment, scope)
    now = timezone.now()
    for target in targets:
        _mark_cancelled(target, reason=reason, void=void, now=now)
    _notify(
        recipients=_series_recipients(request, targets, coordinators=True),
        request=request,
        kind=Notification.Kind.SERIES_CANCELLED,
        actor=actor.user,
        details=text.facts_of_occurrences(targets),
    )
    return len(targets)


@transaction.atomic
def series_change_mediator(
    *, actor: Actor, planned: AppointmentSeries, from_day: date, mediator: Mediator, reason: str
) -> int:
    """From ``from_day`` on, the series' planned occurrences go to another mediator, who becomes the request's
    assigned mediator; earlier ones stay with whoever did them. The new mediator must meet the request's hard
    conditions (a candidate) and be free at every time moved; on a clash nothing changes and ``SeriesConflicts``
    lists them. Returns how many appointments changed hands."""
    from . import matching

    planned = AppointmentSeries.objects.select_for_update(of=("self",)).select_related("mediator").get(pk=planned.pk)
    request = (
        MediationRequest.objects.select_for_update(of=("self",))
        .select_related("office", "requester")
        .get(pk=planned.request_id)
    )
    if not (selectors.is_district_coordinator(user=actor.user, request=request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators change the mediator."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")
    if mediator.pk == planned.mediator_id:
        raise DomainError(_("Choose a different mediator."), field="mediator")
    if mediator.pk not in {c.mediator.pk for c in matching.candidates(user=actor.user, request=request)}:
        raise DomainError(
            _("%(name)s cannot take this request: see why on the candidates page.") % {"name": mediator.full_name},
            field="mediator",
        )
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=mediator.pk)
    first = datetime.combine(from_day, datetime.min.time(), tzinfo=series.ROME)
    targets = list(
        Appointment.objects.select_for_update(of=("self",))
        .select_related("mediator")
        .filter(
            series=planned,
            status=Appointment.Status.PLANNED,
            starts_at__gte=max(first, timezone.now()),
        )
        .order_by("starts_at", "pk")
    )
    if not targets:
        raise DomainError(_("No planned appointment of the series from this date on."), field="from_day")
    found = _clashes(targets, spans={t.pk: series.Span(t.starts_at, t.ends_at) for t in targets}, mediator=mediator)
    if found:
        raise SeriesConflicts(found)
    previous = {target.mediator_id: target.mediator for target in targets}
    try:
        with transaction.atomic():
            Appointment.objects.filter(pk__in=[t.pk for t in targets]).update(
                mediator=mediator, cancel_reason=reason.strip()[:300], updated_at=timezone.now()
            )
    except IntegrityError:
        raise DomainError(_("The mediator was booked at one of these times a moment ago: try again.")) from None
    planned.mediator = mediator
    planned.save(update_fields=["mediator"])
    request.assigned_mediator = mediator
    request.save(update_fields=["assigned_mediator", "updated_at"])
    recipients = {request.requester_id: request.requester}
    for person in [*previous.values(), mediator]:
        if person.user_id:
            recipients[person.user_id] = person.user
    _notify(
        recipients=list(recipients.values()),
        request=request,
        kind=Notification.Kind.MEDIATOR_CHANGED,
        actor=actor.user,
        details={
            **text.facts_of_occurrences(targets),
            "mediator": mediator.full_name,
            "previous": ", ".join(person.full_name for person in previous.values()),
        },
    )
    return len(targets)
