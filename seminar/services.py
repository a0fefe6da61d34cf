"""Every write of the public seminar. Keyword-only, one transaction each, domain errors in the person's language.

Places are counted under a lock on the seminar's row (select_for_update): two confirmations of the last place never
both take it. A registration counts only once confirmed from the e-mail (double opt-in); beyond the places it joins
the waiting list, and the first waiting person moves up when a confirmed one cancels."""

from __future__ import annotations

import logging
from calendar import monthrange
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.scoping import Actor
from core import outbox
from core.errors import DomainError, NotAllowed

from . import calendar, links
from .models import Registration, Seminar

logger = logging.getLogger(__name__)

EMAIL_TASK = "seminar.tasks.send_registration_email_task"
SEMINAR_FIELDS = [
    "slug", "title", "starts_at", "ends_at", "place", "address", "programme", "speakers", "accessibility",
    "capacity", "registration_open",
]  # fmt: skip


# Addresses under /seminario/ that are not a seminar's public page.
RESERVED_SLUGS = {"gestione", "conferma", "annulla"}


class Kind:
    """The e-mails a registered person receives."""

    CONFIRM = "confirm"  # the double opt-in link
    CONFIRMED = "confirmed"  # a place is yours (with the cancel link)
    WAITING = "waiting"  # on the waiting list (with the cancel link)
    MOVED_UP = "moved_up"  # someone cancelled: a place is yours now
    CANCELLED = "cancelled"
    REMINDER = "reminder"  # the day before, with the calendar file


# --- The event (province staff) ---------------------------------------------------------------------------------------


def _check_manager(actor: Actor, province_id: int) -> None:
    if not (actor.is_admin or province_id in actor.province_ids):
        raise NotAllowed(_("Only the province's staff manage its seminar."))


@transaction.atomic
def seminar_save(*, actor: Actor, province, fields: dict, seminar: Seminar | None = None) -> Seminar:
    """Create the province's seminar or change it. Fewer places than the confirmed people is refused (nobody loses
    a place already given); more places move the waiting list up."""
    _check_manager(actor, province.pk)
    if fields["ends_at"] <= fields["starts_at"]:
        raise DomainError(_("The seminar must end after it starts."), field="ends_at")
    if seminar is None:
        seminar = Seminar(province=province)
    else:
        seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
        confirmed = seminar.registrations.filter(status=Registration.Status.CONFIRMED).count()
        if fields["capacity"] < confirmed:
            raise DomainError(
                _("%(confirmed)s people already have a place: the places cannot be fewer.") % {"confirmed": confirmed},
                field="capacity",
            )
    if fields["slug"] in RESERVED_SLUGS:
        raise DomainError(_("This short name is taken by the portal's addresses: choose another."), field="slug")
    if Seminar.objects.filter(slug=fields["slug"]).exclude(pk=seminar.pk).exists():
        raise DomainError(_("Another seminar already uses this short name."), field="slug")
    for name in SEMINAR_FIELDS:
        setattr(seminar, name, fields[name])
    seminar.save()
    _move_up(seminar)
    return seminar


# --- Registration (the public) ----------------------------------------------------------------------------------------


def _clean(text: str, limit: int) -> str:
    return " ".join((text or "").replace("\x00", "").split())[:limit]


@transaction.atomic
def registration_create(
    *, seminar: Seminar, name: str, email: str, organisation: str, role: str, role_other: str = "", language: str = "it"
) -> Registration:
    """A registration waiting for its e-mail confirmation (it takes no place yet); the confirmation link is sent.
    The same address already registered and not cancelled is sent its link again instead of a second row."""
    now = timezone.now()
    if not seminar.registration_open or seminar.starts_at <= now:
        raise DomainError(_("Registration for this seminar is closed."))
    name, organisation = _clean(name, 150), _clean(organisation, 200)
    email = (email or "").strip().lower()
    if not name or not email:
        raise DomainError(_("Write your name and your e-mail address."))
    if role not in Registration.Role.values:
        raise DomainError(_("Choose your role."), field="role")
    role_other = _clean(role_other, 100) if role == Registration.Role.OTHER else ""
    if role == Registration.Role.OTHER and not role_other:
        raise DomainError(_("Say which role."), field="role_other")
    existing = (
        seminar.registrations.filter(email=email).exclude(status=Registration.Status.CANCELLED).order_by("pk").first()
    )
    if existing is not None:
        kind = Kind.CONFIRM if existing.status == Registration.Status.UNCONFIRMED else existing.status
        outbox.send_on_commit(EMAIL_TASK, existing.pk, kind)
        return existing
    registration = Registration.objects.create(
        seminar=seminar,
        name=name,
        email=email,
        organisation=organisation,
        role=role,
        role_other=role_other,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    outbox.send_on_commit(EMAIL_TASK, registration.pk, Kind.CONFIRM)
    return registration


def _by_link(token: str, action: str, *, max_age: int | None) -> Registration:
    key = links.key_of(token, action, max_age=max_age)
    registration = Registration.objects.filter(key=key).select_related("seminar").first() if key else None
    if registration is None:
        if action == "confirm":
            raise DomainError(
                _("This confirmation link is not valid or has expired. Register again from the seminar's page.")
            )
        raise DomainError(_("This link is not valid. Write to the province to cancel your registration."))
    return registration


def _lock(seminar_id: int) -> Seminar:
    """The seminar's row, locked until the transaction ends: places are counted and given one at a time."""
    return Seminar.objects.select_for_update().get(pk=seminar_id)


def _free_places(seminar: Seminar) -> int:
    return seminar.capacity - seminar.registrations.filter(status=Registration.Status.CONFIRMED).count()


@transaction.atomic
def registration_confirm(*, token: str) -> Registration:
    """The person confirmed from the e-mail: a place if one is free, else the waiting list. Confirming twice changes
    nothing."""
    registration = _by_link(token, "confirm", max_age=settings.SEMINAR_CONFIRM_HOURS * 3600)
    seminar = _lock(registration.seminar_id)
    registration.refresh_from_db()
    if registration.status != Registration.Status.UNCONFIRMED:
        if registration.status == Registration.Status.CANCELLED:
            raise DomainError(_("This registration was cancelled. Register again from the seminar's page."))
        return registration
    if seminar.starts_at <= timezone.now():
        raise DomainError(_("Registration for this seminar is closed."))
    registration.confirmed_at = timezone.now()
    if _free_places(seminar) > 0:
        registration.status = Registration.Status.CONFIRMED
        kind = Kind.CONFIRMED
    else:
        registration.status = Registration.Status.WAITING
        kind = Kind.WAITING
    registration.save(update_fields=["status", "confirmed_at"])
    outbox.send_on_commit(EMAIL_TASK, registration.pk, kind)
    return registration


def _move_up(seminar: Seminar) -> list[Registration]:
    """Give the free places to the first waiting people (in the order they confirmed) and tell them. The caller
    holds the seminar's lock."""
    moved = []
    free = _free_places(seminar)
    if free <= 0:
        return moved
    waiting = seminar.registrations.filter(status=Registration.Status.WAITING).order_by("confirmed_at", "pk")[:free]
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status"])
        outbox.send_on_commit(EMAIL_TASK, registration.pk, Kind.MOVED_UP)
        moved.append(registration)
    return moved


def registration_for_cancel(*, token: str) -> Registration:
    return _by_link(token, "cancel", max_age=None)


@transaction.atomic
def registration_cancel(*, token: str) -> Registration:
    """The person gave up their place (or left the waiting list) from the e-mail's link; the first waiting person
    moves up and is told. Cancelling twice changes nothing."""
    registration = _by_link(token, "cancel", max_age=None)
    seminar = _lock(registration.seminar_id)
    registration.refresh_from_db()
    if registration.status == Registration.Status.CANCELLED:
        return registration
    if seminar.starts_at <= timezone.now():
        raise DomainError(_("The seminar has already started: the registration can no longer be cancelled."))
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    outbox.send_on_commit(EMAIL_TASK, registration.pk, Kind.CANCELLED)
    _move_up(seminar)
    return registration


# --- On the day (province staff) --------------------------------------------------------------------------------------


@transaction.atomic
def check_in(*, actor: Actor, registration: Registration, present: bool) -> Registration:
    """Tick (or untick) a confirmed person as arrived."""
    _check_manager(actor, registration.seminar.province_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.CONFIRMED:
        raise DomainError(_("Only people with a confirmed place are checked in."))
    registration.checked_in_at = timezone.now() if present else None
    registration.save(update_fields=["checked_in_at"])
    return registration


# --- E-mails ----------------------------------------------------------------------------------------------------------


def registration_email(*, registration_id: int, kind: str) -> bool:
    """Write one e-mail to a registered person. False when there is nobody to write to (deleted, anonymised)."""
    registration = Registration.objects.select_related("seminar").filter(pk=registration_id).first()
    if registration is None or not registration.email:
        return False
    seminar = registration.seminar
    with translation.override(registration.language):
        context = {
            "registration": registration,
            "seminar": seminar,
            "kind": kind,
            "confirm_url": links.url(registration, "confirm") if kind == Kind.CONFIRM else "",
            "cancel_url": links.url(registration, "cancel") if kind != Kind.CANCELLED else "",
            "page_url": settings.PORTAL_BASE_URL + seminar.get_public_url(),
            "hours": settings.SEMINAR_CONFIRM_HOURS,
        }
        subjects = {
            Kind.CONFIRM: _("Confirm your registration"),
            Kind.CONFIRMED: _("Your place is confirmed"),
            Kind.WAITING: _("You are on the waiting list"),
            Kind.MOVED_UP: _("A place is free: it is yours"),
            Kind.CANCELLED: _("Your registration is cancelled"),
            Kind.REMINDER: _("See you tomorrow"),
        }
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subjects[kind]} · {seminar.title}"
        body = render_to_string("seminar/email/registration.txt", context)
    message = EmailMessage(subject, body, None, [registration.email])
    if kind in (Kind.CONFIRMED, Kind.MOVED_UP, Kind.REMINDER):
        message.attach("seminario.ics", calendar.ics(seminar), "text/calendar")
    message.send()
    return True


@transaction.atomic
def reminders_send(*, now: datetime | None = None) -> int:
    """Enqueue the day-before reminder of every confirmed person of the seminars starting tomorrow (local date),
    once: the claim (reminded_at) is written with the e-mail's task, so a rerun finds nobody left."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    due = list(
        Registration.objects.select_for_update(skip_locked=True)
        .filter(
            status=Registration.Status.CONFIRMED,
            reminded_at__isnull=True,
            seminar__starts_at__date=tomorrow,
        )
        .values_list("pk", flat=True)
    )
    Registration.objects.filter(pk__in=due).update(reminded_at=now)
    for pk in due:
        outbox.send_on_commit(EMAIL_TASK, pk, Kind.REMINDER)
    return len(due)


# --- Retention --------------------------------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    return moment.replace(year=year, month=month + 1, day=min(moment.day, monthrange(year, month + 1)[1]))


@transaction.atomic
def registrations_anonymise(*, now: datetime | None = None) -> dict:
    """SEMINAR_RETENTION_MONTHS after a seminar ends, its registrations keep only what the figures need (role,
    status, confirmation and check-in times): name, e-mail, organisation and the other role are erased; those that
    never took a place (unconfirmed, cancelled) are deleted. Unconfirmed registrations whose link expired are
    deleted whatever the date. Idempotent."""
    now = now or timezone.now()
    before = months_before(now, settings.SEMINAR_RETENTION_MONTHS)
    past = Registration.objects.filter(seminar__ends_at__lt=before)
    deleted, _rows = past.filter(status__in=[Registration.Status.UNCONFIRMED, Registration.Status.CANCELLED]).delete()
    anonymised = past.filter(anonymised_at__isnull=True).update(
        name="", email="", organisation="", role_other="", anonymised_at=now
    )
    expired, _rows = Registration.objects.filter(
        status=Registration.Status.UNCONFIRMED,
        created_at__lt=now - timedelta(hours=settings.SEMINAR_CONFIRM_HOURS),
    ).delete()
    if deleted or anonymised or expired:
        logger.info("Seminar registrations: %s anonymised, %s deleted", anonymised, deleted + expired)
    return {"anonymised": anonymised, "deleted": deleted + expired}
