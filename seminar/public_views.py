"""The seminar's public pages, no login: the event with its registration form, the privacy notice, and the pages the
e-mail links open (confirm, cancel). No cookie is handed to an anonymous visitor: the registration form carries no
CSRF token (it logs nobody in and changes nothing until the e-mail is confirmed); its protection is the signed
timestamp, the honeypot and the per-address limit (seminar.guard). Confirm and cancel are buttons (POST) on the
page the link opens, so a mail scanner that follows links confirms nothing."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.errors import DomainError

from . import guard, selectors, services
from .forms import RegistrationForm


def _without_cookies(request) -> None:
    if not request.user.is_authenticated:
        request.frame_without_csrf = True


def _event_page(request, seminar, form, status=200):
    return render(
        request,
        "seminar/public/event.html",
        {
            "seminar": seminar,
            "form": form,
            "stamp": guard.form_stamp(),
            "places": selectors.places(seminar),
            "is_open": seminar.registration_open and seminar.starts_at > timezone.now(),
            "retention_months": settings.SEMINAR_RETENTION_MONTHS,
        },
        status=status,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def event(request, slug):
    _without_cookies(request)
    seminar = selectors.public_seminar(slug=slug)
    if request.method != "POST":
        return _event_page(request, seminar, RegistrationForm())
    form = RegistrationForm(request.POST)
    if guard.rate_limited(request):
        form.is_valid()
        form.errors.clear()
        form.add_error(None, _("Too many registrations from this connection. Try again in an hour."))
        return _event_page(request, seminar, form, status=429)
    if not form.is_valid():
        return _event_page(request, seminar, form, status=400)
    try:
        registration = services.registration_create(
            seminar=seminar,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            organisation=form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
            role_other=form.cleaned_data["role_other"],
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _event_page(request, seminar, form, status=400)
    return render(
        request,
        "seminar/public/check_email.html",
        {"seminar": seminar, "email": registration.email, "hours": settings.SEMINAR_CONFIRM_HOURS},
    )


def privacy(request, slug):
    _without_cookies(request)
    seminar = selectors.public_seminar(slug=slug)
    return render(
        request,
        "seminar/public/privacy.html",
        {
            "seminar": seminar,
            "retention_months": settings.SEMINAR_RETENTION_MONTHS,
            "confirm_hours": settings.SEMINAR_CONFIRM_HOURS,
        },
    )


def _link_page(request, token, action):
    _without_cookies(request)
    context = {"token": token, "action": action}
    if request.method == "POST":
        try:
            if action == "confirm":
                registration = services.registration_confirm(token=token)
            else:
                registration = services.registration_cancel(token=token)
        except DomainError as error:
            return render(request, "seminar/public/link.html", {**context, "error": error.message}, status=400)
        return render(
            request,
            "seminar/public/link.html",
            {**context, "registration": registration, "seminar": registration.seminar, "done": True},
        )
    return render(request, "seminar/public/link.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    return _link_page(request, token, "confirm")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def cancel(request, token):
    return _link_page(request, token, "cancel")
