"""Pages of privacy: a mediator's own data, the erasure of a mediator's personal data.

Thin views: reads through selectors (scoped by accounts.scoping), writes through services.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for
from audit.services import record_own_data
from core.errors import DomainError

from . import selectors, services


@login_required
def my_data(request):
    """A mediator's own data as a JSON file; recorded in the read audit."""
    if actor_for(request.user).role != Role.MEDIATOR:
        raise PermissionDenied
    mediator = selectors.own_mediator(user=request.user)
    data = selectors.own_data(user=request.user, mediator=mediator)
    record_own_data(request=request, mediator=mediator)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="i-miei-dati-{timezone.localdate():%Y%m%d}.json"'
    return response


@role_required()
def mediator_erase(request, pk: int):
    """Administrators only: a confirmation page, then the erasure of a mediator's personal data."""
    mediator = selectors.mediator_for_erasure(user=request.user, pk=pk)
    already = hasattr(mediator, "erasure")
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm that the personal data are to be erased.")
        else:
            try:
                services.mediator_erase(actor=actor_for(request.user), mediator=mediator, path=request.get_full_path())
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, _("The mediator's personal data are erased; the counts stay."))
                return redirect("mediators:detail", pk=mediator.pk)
    return render(
        request,
        "privacy/erase.html",
        {"mediator": mediator, "already": already, "error": error},
        status=400 if error else 200,
    )
