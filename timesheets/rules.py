"""Who sees rates and timesheets (accounts.scoping is the engine)."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from accounts.models import District, Role
from accounts.scoping import Actor, actor_for, rule
from mediators.models import Mediator
from scheduling.models import Appointment

from .models import ProvinceTimesheetSettings, Rate, Timesheet

# --- Rules of rates and timesheets: a timesheet is seen by its mediator, the coordinators of its district and the
# province's staff; a rate by the coordinators and staff of its provider's province and by the provider's mediators.
# Social workers and funders see neither (the funder reads aggregates in the reports).


@rule(Timesheet)
def _timesheets(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(mediator__user=actor.user)
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(district__province_id__in=actor.province_ids)
    return qs.none()


@rule(Rate)
def _rates(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(provider_id=actor.provider_id)
    if actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF):
        return qs.filter(provider__province_id__in=actor.province_ids)
    return qs.none()


@rule(ProvinceTimesheetSettings)
def _province_settings(actor: Actor, qs: QuerySet) -> QuerySet:
    """What a province's timesheets count: its coordinators and staff (set in /admin/ by an administrator)."""
    if actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


def timesheet_pair_visible(user, *, mediator: Mediator, district: District) -> bool:
    """Whether ``user`` may see (and, with the role for it, act on) the sheet of ``mediator`` in ``district``, saved or
    not yet: a sheet exists only where the mediator works for the district (serves it, had an appointment of one of
    its requests, or has a timesheet there); it is seen by its mediator, the district's coordinators and the staff
    of the district's province. Anything else is 404: the district of the address alone proves nothing about the
    mediator (a coordinator of Cremona must not read a Bergamo mediator's name and provider)."""
    actor = actor_for(user)
    if actor.role is None:
        return False
    if not actor.is_admin:
        if actor.has_role(Role.MEDIATOR):
            allowed = mediator.user_id is not None and mediator.user_id == actor.user.pk
        elif actor.has_role(Role.COORDINATOR):
            allowed = district.pk in actor.district_ids
        elif actor.has_role(Role.PROVINCE_STAFF):
            allowed = district.province_id in actor.province_ids
        else:
            allowed = False
        if not allowed:
            return False
    # Read with the mediator (WORKS_THERE, by annotate_works_for), or one query here.
    works = getattr(mediator, WORKS_THERE, None)
    if works is None:
        works = Mediator.objects.filter(pk=mediator.pk).filter(works_for(district.pk)).exists()
    return works


# The annotation of a mediator read with ``works_for`` (timesheets.selectors.sheet_detail): no query of its own.
WORKS_THERE = "timesheet_works_there"


def works_for(district_id: int) -> Q:
    """On mediators: serves the district, or had an appointment of one of its requests, or has a timesheet there."""
    serves = Mediator.districts.through.objects.filter(mediator_id=OuterRef("pk"), district_id=district_id)
    worked = Appointment.objects.filter(mediator_id=OuterRef("pk"), district_id=district_id)
    sheet = Timesheet.objects.filter(mediator_id=OuterRef("pk"), district_id=district_id)
    return Q(Exists(serves)) | Q(Exists(worked)) | Q(Exists(sheet))


def annotate_works_for(mediators: QuerySet, district_id: int) -> QuerySet:
    """``mediators`` with WORKS_THERE read in the same query (timesheet_pair_visible then asks nothing)."""
    return mediators.annotate(**{WORKS_THERE: ExpressionWrapper(works_for(district_id), output_field=BooleanField())})
