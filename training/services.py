"""Writes of the training course: the province's staff create the course and its sessions; each district's
coordinator nominates within the district's places; the staff confirm (the nominee gets the invitation with the
calendar); a nominee declines through the signed link of the e-mail; the staff or the trainer mark presence; the staff
issue the certificates (a mediator's registry profile gains the training)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import District, Province, Role, User
from accounts.scoping import Actor
from core import outbox
from core.errors import DomainError, NotAllowed
from mediators.models import Mediator, Training

from . import selectors
from .models import Attendance, Course, Module, Nomination, Session

DECLINE_SALT = "training.decline"
MODULES_MAX = 20


def _is_staff_of(actor: Actor, province_id: int) -> bool:
    return actor.is_admin or (actor.has_role(Role.PROVINCE_STAFF) and province_id in actor.province_ids)


def can_manage(actor: Actor, course: Course) -> bool:
    return _is_staff_of(actor, course.province_id)


def can_nominate_for(actor: Actor, course: Course, district: District) -> bool:
    if district.province_id != course.province_id:
        return False
    if _is_staff_of(actor, course.province_id):
        return True
    return actor.has_role(Role.COORDINATOR) and district.pk in actor.district_ids


def can_mark(actor: Actor, session: Session) -> bool:
    return _is_staff_of(actor, session.course.province_id) or (
        actor.user is not None and session.trainer_user_id == actor.user.pk
    )


# --- The course --------------------------------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    actor: Actor,
    province: Province,
    title: str,
    description: str = "",
    targets: set[str],
    places_per_district: int,
    threshold_percent: int = 75,
    signed_by: str = "",
    modules: list[str] | None = None,
) -> Course:
    if not _is_staff_of(actor, province.pk):
        raise NotAllowed(_("Only the province's staff create its training courses."))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the course a title."), field="title")
    if not targets:
        raise DomainError(_("Choose at least one group of professionals the course is for."), field="targets")
    if not 1 <= places_per_district <= 500:
        raise DomainError(_("The places per district go from 1 to 500."), field="places_per_district")
    if not 1 <= threshold_percent <= 100:
        raise DomainError(_("The attendance threshold goes from 1 to 100%."), field="threshold_percent")
    modules = [m.strip()[:200] for m in (modules or []) if m.strip()]
    if len(modules) > MODULES_MAX:
        raise DomainError(_("At most 20 modules."), field="modules")
    course = Course.objects.create(
        province=province,
        title=title[:200],
        description=description.strip(),
        for_social_workers=Nomination.Kind.SOCIAL_WORKER in targets,
        for_coordinators=Nomination.Kind.COORDINATOR in targets,
        for_mediators=Nomination.Kind.MEDIATOR in targets,
        for_others=Nomination.Kind.OTHER in targets,
        places_per_district=places_per_district,
        threshold_percent=threshold_percent,
        signed_by=signed_by.strip()[:200],
        created_by=actor.user,
    )
    Module.objects.bulk_create(Module(course=course, title=t, position=i) for i, t in enumerate(modules))
    return course


@transaction.atomic
def session_add(
    *,
    actor: Actor,
    course: Course,
    starts_at,
    ends_at,
    trainer: str,
    hours: Decimal,
    module: Module | None = None,
    place: str = "",
    online_url: str = "",
    trainer_user: User | None = None,
) -> Session:
    if not can_manage(actor, course):
        raise NotAllowed(_("Only the province's staff plan the course's sessions."))
    if ends_at <= starts_at:
        raise DomainError(_("A session ends after it starts."), field="ends_at")
    if not (place or "").strip() and not (online_url or "").strip():
        raise DomainError(_("Give the place of the session or its online link."), field="place")
    if online_url:
        try:
            URLValidator(schemes=["https", "http"])(online_url)
        except ValidationError:
            raise DomainError(_("The online link is not a web address."), field="online_url") from None
    if not (trainer or "").strip():
        raise DomainError(_("Say who trains the session."), field="trainer")
    if hours is None or hours <= 0 or hours > 24:
        raise DomainError(_("The hours of a session go from 0.5 to 24."), field="hours")
    if module is not None and module.course_id != course.pk:
        raise DomainError(_("This module belongs to another course."), field="module")
    return Session.objects.create(
        course=course,
        module=module,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:250],
        online_url=online_url.strip(),
        trainer=trainer.strip()[:200],
        trainer_user=trainer_user,
        hours=hours,
    )


# --- Nominations -------------------------------------------------------------------------------------------------


@transaction.atomic
def nominate(
    *,
    actor: Actor,
    course: Course,
    district: District,
    user: User | None = None,
    full_name: str = "",
    organisation: str = "",
    email: str = "",
) -> Nomination:
    """A professional of the district nominated to the course, within the district's places. The course's row is
    locked (PostgreSQL) while the places are counted, so that two coordinators cannot both take the last one."""
    if not can_nominate_for(actor, course, district):
        raise NotAllowed(_("You nominate only for your own district."))
    course = Course.objects.select_for_update().get(pk=course.pk)
    if user is not None:
        kind = dict((u.pk, k) for u, k in selectors.candidates(district)).get(user.pk)
        if kind is None:
            raise DomainError(_("This person does not work in the district."), field="user")
        full_name, organisation, email = user.get_full_name() or user.email, str(district.managing_body), user.email
    else:
        kind = Nomination.Kind.OTHER
        full_name, organisation, email = full_name.strip(), organisation.strip(), email.strip().lower()
        if not full_name:
            raise DomainError(_("Give the person's name."), field="full_name")
        if not organisation:
            raise DomainError(_("Give the person's organisation."), field="organisation")
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(_("Give a valid e-mail address."), field="email") from None
    if kind not in course.target_roles():
        raise DomainError(_("The course is not meant for this role."), field="user" if user else "full_name")
    taken = Nomination.objects.filter(course=course, district=district, status__in=Nomination.HOLDING).count()
    if taken >= course.places_per_district:
        raise DomainError(
            _("The district of %(district)s has used all its %(places)s places: withdraw a nomination first.")
            % {"district": district.name, "places": course.places_per_district}
        )
    existing = Nomination.objects.filter(course=course, email__iexact=email).first()
    if existing is not None:
        if existing.status in Nomination.HOLDING:
            raise DomainError(_("This person is already nominated to the course."))
        existing.delete()  # declined or withdrawn before: nominated again from scratch
    try:
        with transaction.atomic():
            return Nomination.objects.create(
                course=course,
                district=district,
                user=user,
                full_name=full_name[:200],
                organisation=organisation[:200],
                email=email,
                kind=kind,
                nominated_by=actor.user,
            )
    except IntegrityError:
        raise DomainError(_("This person is already nominated to the course.")) from None


@transaction.atomic
def nomination_withdraw(*, actor: Actor, nomination: Nomination) -> Nomination:
    if not can_nominate_for(actor, nomination.course, nomination.district):
        raise NotAllowed(_("You nominate only for your own district."))
    if nomination.status not in Nomination.HOLDING:
        raise DomainError(_("This nomination is no longer active."))
    if nomination.certificate_issued_at is not None:
        raise DomainError(_("A certificate was issued: the nomination stays."))
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.save(update_fields=["status"])
    return nomination


@transaction.atomic
def nomination_confirm(*, actor: Actor, nomination: Nomination) -> Nomination:
    """The province confirms: the nominee gets the invitation e-mail with the calendar and the link to decline."""
    if not can_manage(actor, nomination.course):
        raise NotAllowed(_("Only the province's staff confirm nominations."))
    if nomination.status != Nomination.Status.NOMINATED:
        raise DomainError(_("Only a nomination waiting for the province can be confirmed."))
    nomination.status = Nomination.Status.CONFIRMED
    nomination.confirmed_at = timezone.now()
    nomination.save(update_fields=["status", "confirmed_at"])
    outbox.send_on_commit("training.tasks.send_invitation_task", nomination.pk)
    return nomination


def decline_token(nomination: Nomination) -> str:
    return signing.dumps({"n": nomination.pk, "e": nomination.email}, salt=DECLINE_SALT, compress=True)


def nomination_from_token(token: str) -> Nomination | None:
    try:
        data = signing.loads(token, salt=DECLINE_SALT)
    except signing.BadSignature:
        return None
    nomination = Nomination.objects.select_related("course").filter(pk=data.get("n")).first()
    if nomination is None or nomination.email != data.get("e"):
        return None
    return nomination


@transaction.atomic
def nomination_decline(*, token: str) -> Nomination:
    """The nominee declines through the signed link of the invitation (no login): the place goes back to the
    district."""
    nomination = nomination_from_token(token)
    if nomination is None:
        raise DomainError(_("This link is not valid. Ask the province's staff."))
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status == Nomination.Status.DECLINED:
        return nomination
    if nomination.status not in Nomination.HOLDING or nomination.certificate_issued_at is not None:
        raise DomainError(_("This nomination can no longer be declined."))
    nomination.status = Nomination.Status.DECLINED
    nomination.declined_at = timezone.now()
    nomination.save(update_fields=["status", "declined_at"])
    return nomination


def invitation_send_email(*, nomination_id: int) -> bool:
    """The invitation (Italian, the course's calendar attached as ICS): called by the task after the confirmation."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from .calendar import course_ics

    nomination = Nomination.objects.select_related("course__province").filter(pk=nomination_id).first()
    if nomination is None or nomination.status != Nomination.Status.CONFIRMED:
        return False
    course = nomination.course
    sessions = selectors.sessions_of(course)
    base = settings.PORTAL_BASE_URL
    with translation.override("it"):
        context = {
            "nomination": nomination,
            "course": course,
            "sessions": sessions,
            "hours": selectors.course_hours(sessions),
            "decline_url": base + reverse("training:decline", args=[decline_token(nomination)]),
        }
        subject = _("Training course: %(title)s") % {"title": course.title}
        body = render_to_string("training/email/invitation.txt", context)
    message = EmailMessage(subject, body, None, [nomination.email])
    message.attach("corso.ics", course_ics(course, sessions), "text/calendar")
    message.send()
    return True


# --- Attendance and certificates ---------------------------------------------------------------------------------


@transaction.atomic
def attendance_mark(*, actor: Actor, session: Session, present_ids: set[int]) -> int:
    """The register of a session: the confirmed nominees in ``present_ids`` present, the others absent. Returns how
    many were present."""
    if not can_mark(actor, session):
        raise NotAllowed(_("Only the province's staff and the session's trainer mark presence."))
    if session.starts_at > timezone.now():
        raise DomainError(_("The session has not started yet."))
    confirmed = set(
        Nomination.objects.filter(course_id=session.course_id, status=Nomination.Status.CONFIRMED).values_list(
            "pk", flat=True
        )
    )
    unknown = set(present_ids) - confirmed
    if unknown:
        raise DomainError(_("Someone in the list is not a confirmed participant of the course."))
    existing = {a.nomination_id: a for a in Attendance.objects.filter(session=session)}
    changed, created = [], []
    for pk in confirmed:
        present = pk in present_ids
        row = existing.get(pk)
        if row is None:
            created.append(Attendance(session=session, nomination_id=pk, present=present, marked_by=actor.user))
        elif row.present != present:
            row.present, row.marked_by = present, actor.user
            changed.append(row)
    Attendance.objects.bulk_create(created)
    for row in changed:
        row.save(update_fields=["present", "marked_by", "marked_at"])
    return len(present_ids)


@transaction.atomic
def certificates_issue(*, actor: Actor, course: Course) -> int:
    """A certificate for every confirmed nominee at or above the threshold (issued again with the hours of today's
    registers if already issued). A nominee who is a mediator of the registry gets the training on their profile."""
    if not can_manage(actor, course):
        raise NotAllowed(_("Only the province's staff issue the certificates."))
    sessions = selectors.sessions_of(course)
    total = selectors.course_hours(sessions)
    if not sessions or total <= 0:
        raise DomainError(_("The course has no sessions yet."))
    needed = selectors.hours_needed(course, total)
    attended = selectors.hours_by_nomination(course)
    now = timezone.now()
    # The registry's date: the course's last session held so far (the last one, once the course is over).
    last_day = timezone.localdate(
        max((s.starts_at for s in sessions if s.starts_at <= now), default=sessions[-1].starts_at)
    )
    issued = 0
    nominations = Nomination.objects.filter(course=course, status=Nomination.Status.CONFIRMED).select_related(
        "registry_training"
    )
    mediators = {
        m.user_id: m
        for m in Mediator.objects.filter(user_id__in=[n.user_id for n in nominations if n.user_id]).only(
            "pk", "user_id"
        )
    }
    for nomination in nominations:
        hours = attended.get(nomination.pk, Decimal("0"))
        if hours < needed:
            continue
        nomination.certificate_issued_at = nomination.certificate_issued_at or now
        nomination.certificate_hours = hours
        mediator = mediators.get(nomination.user_id)
        if mediator is not None:
            training = nomination.registry_training or Training(mediator=mediator)
            training.title = course.title[:200]
            training.body = course.province.name[:200]
            training.date = last_day
            training.hours = hours
            training.save()
            nomination.registry_training = training
        nomination.save(update_fields=["certificate_issued_at", "certificate_hours", "registry_training"])
        issued += 1
    return issued
