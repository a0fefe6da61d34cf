"""What every API view shares: who may call (a token or a session), in which roles, how often, in which language,
and how a list is paged."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.views import APIView

from accounts.scoping import Actor, actor_for

from .authentication import TokenAuthentication
from .errors import Invalid
from .throttling import PerAddress, PerCaller


def accepted_language(request) -> str:
    """The first language of Accept-Language the portal speaks (Italian or English), else Italian. The web pages
    ignore that header (an office computer set up in English still shows Italian); a system says what it wants."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def status_param(value: str, choices) -> str:
    """A list's ``status`` filter: one of ``choices``, else a 400 naming them."""
    if value not in choices:
        raise Invalid(
            translation.gettext("Unknown status."),
            {"status": [translation.gettext("Choose one of: %s") % ", ".join(choices)]},
        )
    return value


def moment_param(value: str):
    """A list's ``updated_since`` filter: an ISO 8601 moment with its offset, else a 400."""
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        message = translation.gettext("Give a moment with its offset, e.g. 2026-05-01T09:00:00+02:00.")
        raise Invalid(message, {"updated_since": [message]})
    return moment


class Cursor(CursorPagination):
    """Pages that stay right while rows are added: each page starts after the last row of the one before it (by id),
    never at an offset."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor is opaque but only base64: one written by hand may hold a position that is not an id at all,
        # which the database lookup would refuse with a 500. It is a cursor we never gave: 404, as DRF answers one
        # it cannot read.
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            ordering = self.get_ordering(request, queryset, view)[0].lstrip("-")
            meta = queryset.model._meta
            try:
                (meta.pk if ordering == "pk" else meta.get_field(ordering)).to_python(cursor.position)
            except (DjangoValidationError, ValueError, TypeError):
                raise exceptions.NotFound(self.invalid_cursor_message) from None
        return super().paginate_queryset(queryset, request, view=view)


class ApiView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [PerCaller]
    # The roles that may ever call this endpoint (administrators always may): anyone else gets 403.
    roles: tuple[str, ...] = ()
    # The roles that may write through it (POST, PUT, PATCH, DELETE), when fewer than those who read it: the others
    # keep reading and get 403 on writing. None: the same as ``roles``.
    write_roles: tuple[str, ...] | None = None

    def initial(self, request, *args, **kwargs):
        language = accepted_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def check_permissions(self, request):
        super().check_permissions(request)
        actor = self.actor
        writing = self.write_roles is not None and request.method not in SAFE_METHODS
        if actor.is_admin or actor.role in (self.write_roles if writing else self.roles):
            return
        if writing and actor.role in self.roles:
            raise exceptions.PermissionDenied(translation.gettext("Your role can read this but not write it."))
        raise exceptions.PermissionDenied(translation.gettext("Your role cannot use this endpoint."))

    @property
    def actor(self) -> Actor:
        return actor_for(self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        response["Cache-Control"] = "no-store"
        return response


class PublicApiView(ApiView):
    """An endpoint of public data (the published guide): no token, no session, no role. An Authorization header is
    ignored, not checked: the answer is the same for everyone, so a wrong or expired key cannot change or break it.
    Calls are counted per client address (``API_PUBLIC_RATE``), and a successful answer may be kept by any cache for
    ``max_age`` seconds (the ApiView's other answers are ``no-store``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PerAddress]
    max_age = 300

    def check_permissions(self, request):
        APIView.check_permissions(self, request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = f"public, max-age={self.max_age}"
        patch_vary_headers(response, ["Accept-Language"])
        return response
