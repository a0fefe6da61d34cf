"""The box of the request pages where a coordinator charges the request to a funded project."""

from django import template

from accounts.models import Role
from accounts.scoping import actor_for, visible
from reporting.models import Project, ProjectCharge
from reporting.services import CHARGEABLE

register = template.Library()


@register.inclusion_tag("reporting/_charge_form.html", takes_context=True)
def project_charge_box(context, mediation_request):
    request = context["request"]
    actor = actor_for(request.user)
    if not (actor.is_admin or actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF)):
        return {"show": False}
    charge = ProjectCharge.objects.filter(request=mediation_request).select_related("project").first()
    district = mediation_request.office.district
    projects = (
        visible(request.user, Project)
        .filter(active=True, lead_province_id=district.province_id)
        .order_by("-starts_on", "title")
    )
    return {
        "show": True,
        "request": request,
        "mediation_request": mediation_request,
        "charge": charge,
        "projects": list(projects),
        "can_change": mediation_request.status in CHARGEABLE,
        "csrf_token": context.get("csrf_token"),
    }
