from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core.errors import DomainError

from . import selectors, services
from .filters import MembershipFilter
from .forms import AcceptInvitationForm, InvitationForm
from .models import Invitation, Membership, Role, User
from .permissions import role_required
from .scoping import actor_for, get_for_user_or_404

PEOPLE_MANAGERS = (Role.COORDINATOR, Role.PROVINCE_STAFF)


@login_required
@require_POST
def switch_role(request):
    try:
        membership = services.membership_activate(user=request.user, membership_id=request.POST.get("membership"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("You are now working as %(role)s · %(scope)s.")
            % {"role": membership.get_role_display(), "scope": membership.scope_label()},
        )
    # The new role may not see the page the switch was made from: start again from its home.
    return redirect("home")


@csrf_exempt
@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice in the profile of a logged-in user.

    Someone not logged in switches without a CSRF token: all a forged switch could do is change the language cookie
    of the browser it came from, and the public guide's pages, which set no cookie, have no token to send. A logged-in
    user's switch is checked like every other form."""
    if request.user.is_authenticated:
        return _set_language_checked(request)
    return django_set_language(request)


@csrf_protect
def _set_language_checked(request):
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(User._meta.get_field("language").choices):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


@role_required(*PEOPLE_MANAGERS)
def people(request):
    memberships = selectors.membership_list(user=request.user)
    filterset = MembershipFilter(request.GET or None, queryset=memberships)
    page = selectors.people_page(user=request.user, filterset=filterset, number=request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "filter": filterset,
            "page": page,
            "invitations": selectors.pending_invitation_list(user=request.user)[:50],
            "querystring": _querystring_without_page(request),
        },
    )


def _querystring_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required(*PEOPLE_MANAGERS)
def invite(request):
    actor = actor_for(request.user)
    form = InvitationForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                actor=actor,
                email=data["email"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["language"],
                office=data.get("office"),
                district=data.get("district"),
                provider=data.get("provider"),
                province=data.get("province"),
                funder=data.get("funder"),
                districts=data.get("districts") or [],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:people")
    return render(request, "accounts/invite.html", {"form": form, "valid_days": settings.INVITATION_VALID_DAYS})


@role_required(*PEOPLE_MANAGERS)
@require_POST
def invitation_action(request, pk: int, action: str):
    invitation = get_for_user_or_404(request.user, Invitation, pk=pk)
    actor = actor_for(request.user)
    try:
        if action == "resend":
            services.invitation_resend(actor=actor, invitation=invitation)
            messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
        else:
            services.invitation_revoke(actor=actor, invitation=invitation)
            messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:people")


@role_required(*PEOPLE_MANAGERS)
@require_POST
def membership_deactivate(request, pk: int):
    membership = get_for_user_or_404(request.user, Membership.objects.select_related("user"), pk=pk)
    try:
        services.membership_deactivate(actor=actor_for(request.user), membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(person)s no longer has this role.") % {"person": membership.user})
    return redirect("accounts:people")


@login_required
def organisations(request):
    return render(request, "accounts/organisations.html", {"provinces": selectors.organisation_tree(user=request.user)})


def accept_invitation(request, key: str):
    invitation = (
        Invitation.objects.select_related("office", "district", "provider", "province", "funder", "invited_by")
        .filter(key=key)
        .first()
    )
    if invitation is None:
        raise Http404
    account = User.objects.filter(email=invitation.email).first()
    needs_password = account is None or not account.has_usable_password()
    form = AcceptInvitationForm(
        request.POST or None, initial={"first_name": invitation.first_name, "last_name": invitation.last_name}
    )
    if not needs_password:
        form = None
    problem = None
    try:
        services.invitation_check(invitation=invitation)
    except DomainError as exc:
        problem = exc.message
    if problem is None and request.method == "POST" and (form is None or form.is_valid()):
        try:
            if form is None:
                membership = services.invitation_accept(key=key, user=_authenticated(request))
            else:
                membership = services.invitation_accept(
                    key=key,
                    password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
        except DomainError as exc:
            if form is not None and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                problem = exc.message
        else:
            if not request.user.is_authenticated:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! You are now %(role)s · %(scope)s.")
                % {"role": membership.get_role_display(), "scope": membership.scope_label()},
            )
            return redirect("home")
    login_url = reverse("account_login") + "?next=" + request.path
    return render(
        request,
        "accounts/accept_invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "problem": problem,
            "login_url": login_url if url_has_allowed_host_and_scheme(login_url, None) else reverse("account_login"),
        },
    )


def _authenticated(request):
    return request.user if request.user.is_authenticated else None
