"""Scoped reads of the training course, the hours attended, and the course's figures for the accountability report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import District, Membership, Province, Role, User
from accounts.scoping import actor_for, get_for_user_or_404, visible

from .models import Attendance, Course, Nomination, Session

ZERO = Decimal("0")


def courses(*, user) -> QuerySet:
    return (
        visible(user, Course)
        .select_related("province")
        .annotate(
            session_count=Count("sessions", distinct=True),
            nominee_count=Count("nominations", filter=Q(nominations__status__in=Nomination.HOLDING), distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def course_for(*, user, pk) -> Course:
    return get_for_user_or_404(user, Course.objects.select_related("province"), pk=pk)


def sessions_of(course: Course) -> list[Session]:
    sessions = list(course.sessions.select_related("module").order_by("starts_at", "pk"))
    for session in sessions:
        session.course = course  # the course in hand: no query per session for its province
    return sessions


def course_hours(sessions: list[Session]) -> Decimal:
    return sum((s.hours for s in sessions), ZERO)


def hours_needed(course: Course, total: Decimal) -> Decimal:
    return (total * course.threshold_percent / 100).quantize(Decimal("0.1"))


def hours_by_nomination(course: Course) -> dict[int, Decimal]:
    """Hours attended by each nominee of the course (sessions marked present)."""
    rows = (
        Attendance.objects.filter(session__course=course, present=True)
        .values("nomination_id")
        .annotate(hours=Sum("session__hours"))
    )
    return {row["nomination_id"]: row["hours"] or ZERO for row in rows}


def nominations_of(course: Course, *, user, district: District | None = None) -> QuerySet:
    qs = visible(user, Nomination).filter(course=course).select_related("district", "user")
    if district is not None:
        qs = qs.filter(district=district)
    return qs.order_by("district__name", "full_name", "pk")


def nomination_for(*, user, pk) -> Nomination:
    return get_for_user_or_404(user, Nomination.objects.select_related("course__province", "district", "user"), pk=pk)


def places_taken(course: Course) -> dict[int, int]:
    rows = (
        Nomination.objects.filter(course=course, status__in=Nomination.HOLDING)
        .values("district_id")
        .annotate(n=Count("pk"))
    )
    return {row["district_id"]: row["n"] for row in rows}


def districts_for_nominating(*, user, course: Course) -> list[District]:
    """The districts the user nominates for: a coordinator their own, the province's staff every district of the
    course's province."""
    actor = actor_for(user)
    qs = District.objects.filter(province=course.province).order_by("name")
    if actor.is_admin or actor.has_role(Role.PROVINCE_STAFF):
        return list(qs)
    if actor.has_role(Role.COORDINATOR):
        return list(qs.filter(pk__in=actor.district_ids))
    return []


KIND_OF_ROLE = {
    Role.SOCIAL_WORKER: Nomination.Kind.SOCIAL_WORKER,
    Role.COORDINATOR: Nomination.Kind.COORDINATOR,
    Role.MEDIATOR: Nomination.Kind.MEDIATOR,
}


def candidates(district: District) -> list[tuple[User, str]]:
    """The portal's people of a district, with the kind they would be nominated as: social workers of its offices,
    its coordinators, the mediators serving it (one line per person, the first matching role)."""
    memberships = (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .filter(
            Q(role=Role.SOCIAL_WORKER, office__district=district)
            | Q(role=Role.COORDINATOR, district=district)
            | Q(role=Role.MEDIATOR, districts=district)
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    seen: dict[int, tuple[User, str]] = {}
    for membership in memberships:
        seen.setdefault(membership.user_id, (membership.user, KIND_OF_ROLE[membership.role]))
    return list(seen.values())


def my_nominations(*, user) -> QuerySet:
    """What "I miei corsi" lists: the person's nominations, whatever their role."""
    return (
        Nomination.objects.filter(user=user)
        .select_related("course__province", "district")
        .annotate(first_session=Min("course__sessions__starts_at"), last_session=Max("course__sessions__starts_at"))
        .order_by("-course__created_at", "-pk")
    )


def session_for(*, user, pk) -> Session:
    return get_for_user_or_404(user, Session.objects.select_related("course__province", "module"), pk=pk)


def register_of(session: Session) -> list[dict]:
    """The confirmed nominees of a session's course with their mark for this session (the checklist, the sheet)."""
    nominations = list(
        Nomination.objects.filter(course_id=session.course_id, status=Nomination.Status.CONFIRMED)
        .select_related("district")
        .prefetch_related(Prefetch("attendances", queryset=Attendance.objects.filter(session=session), to_attr="mark"))
        .order_by("full_name", "pk")
    )
    return [{"nomination": n, "present": bool(n.mark and n.mark[0].present)} for n in nominations]


# --- Figures for the accountability report (reporting wires them: Action.TRAINING) -------------------------------


@dataclass(frozen=True)
class Figures:
    sessions_held: int
    course_hours: Decimal
    people: int
    person_hours: Decimal
    certificates: int
    # (district name, kind label key, people) ordered by district then kind.
    people_by_district_and_role: list[tuple[str, str, int]] = field(default_factory=list)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def figures(province: Province, start: date, end: date) -> Figures:
    """The province's training in a period (both days included): sessions held (started before now, in the
    period), their hours, the people trained (present at one of those sessions at least) by district and role, the
    hours they attended, and the certificates issued in the period. Four queries."""
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    held = Session.objects.filter(
        course__province=province, starts_at__gte=since, starts_at__lt=min(until, timezone.now())
    )
    sessions = held.aggregate(n=Count("pk"), hours=Sum("hours"))
    present = Attendance.objects.filter(present=True, session__in=held)
    person_hours = present.aggregate(hours=Sum("session__hours"))["hours"] or ZERO
    rows = (
        Nomination.objects.filter(pk__in=present.values("nomination_id"))
        .values("district__name", "kind")
        .annotate(n=Count("pk"))
        .order_by("district__name", "kind")
    )
    by = [(row["district__name"], row["kind"], row["n"]) for row in rows]
    certificates = Nomination.objects.filter(
        course__province=province, certificate_issued_at__gte=since, certificate_issued_at__lt=until
    ).count()
    return Figures(
        sessions_held=sessions["n"] or 0,
        course_hours=sessions["hours"] or ZERO,
        people=sum(n for _d, _k, n in by),
        person_hours=person_hours,
        certificates=certificates,
        people_by_district_and_role=by,
    )
