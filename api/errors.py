"""Every error under /api/ is JSON with a stable ``code`` and a ``message`` in the caller's language (and
``fields`` for a 400): never an HTML page, never a 500 with a trace."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError, NotAllowed

logger = logging.getLogger("mediazione.api")

API_PREFIX = "/api/"


class Conflict(exceptions.APIException):
    """The object is not in a state that allows this (a transition from the wrong state)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Invalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.fields = fields or {}


def from_domain(exc: DomainError) -> exceptions.APIException:
    """A service's refusal as the API says it: 403 for the role, 400 (with its field) for the data."""
    if isinstance(exc, NotAllowed):
        return exceptions.PermissionDenied(exc.message)
    return Invalid(exc.message, {exc.field: [exc.message]} if exc.field else {})


def _body(code: str, message, fields=None) -> dict:
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    return body


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "idempotency_key_reused",
    429: "throttled",
}


def handle(exc, context):
    if isinstance(exc, DomainError):
        exc = from_domain(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not yours to see."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        # Anything else is a defect of ours: logged with its trace, answered in JSON.
        logger.exception("API error on %s", context["request"].path)
        return Response(
            _body("server_error", _("Something went wrong on our side: try again later.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    code = CODES.get(response.status_code, "error")
    if response.status_code == 401 and isinstance(exc, exceptions.AuthenticationFailed):
        code = "authentication_failed"
    if isinstance(exc, Invalid):
        response.data = _body("invalid", exc.detail, exc.fields)
    elif isinstance(exc, exceptions.ValidationError):
        response.data = _body("invalid", _("The data sent is not valid: see fields."), _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else exc
        response.data = _body(code, detail if isinstance(detail, str) else _("Error."))
    return response


def json_error(request, status_code: int) -> JsonResponse | None:
    """The portal's error pages under /api/ (an unknown address, a failure before any view): JSON instead."""
    if not request.path.startswith(API_PREFIX):
        return None
    messages = {
        400: _("Bad request."),
        403: _("You may not do this."),
        404: _("Not found, or not yours to see."),
        500: _("Something went wrong on our side: try again later."),
    }
    return JsonResponse(_body(CODES.get(status_code, "server_error"), messages[status_code]), status=status_code)
