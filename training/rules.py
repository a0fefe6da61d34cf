"""Who sees the training course (accounts.scoping is the engine).

Courses: the province's staff and coordinators (who nominate) see their province's courses; anyone else the courses
they are nominated to or train a session of. Nominations: the staff of the province, a coordinator their district's,
a person their own. Sessions follow their course. The funder never (its views answer 403)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import Course, Nomination, Session

MANAGERS = (Role.COORDINATOR, Role.PROVINCE_STAFF)
# Everyone who may be nominated or train: the operators of a province.
PEOPLE = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)


def _own_courses(actor: Actor) -> Q:
    return Q(pk__in=Nomination.objects.filter(user=actor.user).values("course_id")) | Q(
        pk__in=Session.objects.filter(trainer_user=actor.user).values("course_id")
    )


@rule(Course)
def _courses(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(*MANAGERS):
        return qs.filter(Q(province_id__in=actor.province_ids) | _own_courses(actor))
    if actor.has_role(*PEOPLE):
        return qs.filter(_own_courses(actor))
    return qs.none()


@rule(Session)
def _sessions(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(course__province_id__in=actor.province_ids)
    if actor.has_role(*PEOPLE):
        return qs.filter(trainer_user=actor.user)
    return qs.none()


@rule(Nomination)
def _nominations(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(Q(course__province_id__in=actor.province_ids) | Q(user=actor.user))
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(Q(district_id__in=actor.district_ids) | Q(user=actor.user))
    if actor.has_role(*PEOPLE):
        return qs.filter(user=actor.user)
    return qs.none()
