"""Who sees rates and timesheets: registered in accounts.scoping's one registry (imported by TimesheetsConfig).

A timesheet is seen by its mediator, the coordinators of its district and the province's staff; a rate by the
coordinators and staff of its provider's province and by the provider's mediators. Social workers and funders see
neither (the funder reads aggregates in the reports).
"""

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import Rate, Timesheet


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
