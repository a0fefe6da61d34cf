"""The portal's pages for API tokens: province staff and administrators make, list and revoke them. The key is
shown once, on the page that follows its making, and never again."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for, get_for_user_or_404
from core.errors import DomainError

from . import selectors, services
from .forms import TokenForm
from .models import ApiToken

MANAGERS = (Role.PROVINCE_STAFF,)


@role_required(*MANAGERS)
@never_cache
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            token, key = services.token_create(actor=actor_for(request.user), **data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Token “%(name)s” made. Copy its key now: it will not be shown again.") % {"name": token.name},
            )
            return render(request, "api/token_made.html", {"token": token, "key": key})
    return render(request, "api/tokens.html", {"tokens": selectors.tokens(user=request.user), "form": form})


@role_required(*MANAGERS)
@require_POST
def token_revoke(request, pk: int):
    token = get_for_user_or_404(request.user, ApiToken, pk=pk)
    try:
        services.token_revoke(actor=actor_for(request.user), token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": token.name})
    return redirect("api_tokens:list")
