"""/api/v1/requests/: the requests the caller sees (the web pages' scoping), filed as drafts, submitted, cancelled
through the same services as the pages."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.models import Role
from accounts.scoping import get_for_user_or_404, visible
from audit.services import record_read
from requests_app import selectors as request_selectors
from requests_app import services as request_services
from requests_app.models import MediationRequest, Status
from requests_app.transitions import TRANSITIONS

from . import drafts, services
from .base import ApiView, Cursor, moment_param, status_param
from .errors import Conflict
from .idempotency import LostRace, idempotency_key, replay
from .serializers import (
    ErrorSerializer,
    ReasonSerializer,
    RequestDetailSerializer,
    RequestSerializer,
    RequestWriteSerializer,
)

READERS = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)
ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409, 429)}
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (e.g. a UUID): sent again with the same body, the call makes nothing new and "
    "answers what it answered the first time.",
)


def _request_queryset(user):
    return request_selectors.with_language_list(
        visible(user, MediationRequest).select_related("office").order_by("-pk")
    )


class RequestList(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="requests_list",
        summary="The requests the token sees",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values, description="Only in this state"),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Changed at or after (ISO 8601)"),
            OpenApiParameter("case_code", OpenApiTypes.STR, description="The office's case code"),
        ],
        responses={200: RequestSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        queryset = _request_queryset(request.user)
        wanted = request.query_params.get("status")
        if wanted:
            queryset = queryset.filter(status=status_param(wanted, Status.values))
        since = request.query_params.get("updated_since")
        if since:
            moment = moment_param(since)
            queryset = queryset.filter(updated_at__gte=moment)
        code = request.query_params.get("case_code")
        if code:
            queryset = queryset.filter(case_code=code.strip().upper()[:30])
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(RequestSerializer(page, many=True).data)

    @extend_schema(
        operation_id="requests_create",
        summary="File a request (a draft, or submitted at once with submit=true)",
        request=RequestWriteSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: RequestDetailSerializer, 422: ErrorSerializer, **ERRORS},
    )
    def post(self, request):
        if not (self.actor.role == Role.SOCIAL_WORKER):
            raise exceptions.PermissionDenied(_("Only the social workers of an office file its requests."))
        key = idempotency_key(request)
        fingerprint = services.call_fingerprint(request.method, request.path, request.body)
        if key:
            earlier = services.idempotent_answer(user=request.user, key=key)
            if earlier is not None:
                return replay(earlier, fingerprint)
        shape = RequestWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                if key and not services.idempotent_claim(user=request.user, key=key, fingerprint=fingerprint):
                    raise LostRace
                saved = drafts.save_draft(actor=self.actor, data=shape.validated_data)
                body = RequestDetailSerializer(request_selectors.request_detail(user=request.user, pk=saved.pk)).data
                body = json.loads(json.dumps(body, default=str))
                if key:
                    services.idempotent_keep(user=request.user, key=key, status=201, body=body)
        except LostRace:
            # The same key, sent twice at once: the other call won (its answer is kept now); this one made nothing.
            return replay(services.idempotent_answer(user=request.user, key=key), fingerprint)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": f"{request.path}{saved.pk}/"})


class RequestDetail(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="requests_read", summary="One request", responses={200: RequestDetailSerializer, **ERRORS}
    )
    def get(self, request, pk: int):
        found = request_selectors.request_detail(user=request.user, pk=pk)
        record_read(request=request, obj=found)
        return Response(RequestDetailSerializer(found).data)


class _Transition(ApiView):
    transition = ""

    def _apply(self, request, pk: int, **extra):
        found = get_for_user_or_404(request.user, MediationRequest.objects.select_related("office__district"), pk=pk)
        transition = TRANSITIONS[self.transition]
        if not request_selectors.may(user=request.user, request=found, transition=transition):
            if found.status not in transition.sources:
                raise Conflict(
                    _("A request in the state “%(state)s” cannot be changed this way.")
                    % {"state": found.get_status_display()}
                )
            raise exceptions.PermissionDenied(_("Your role cannot do this to this request."))
        return found

    def _answer(self, request, pk: int):
        return Response(RequestDetailSerializer(request_selectors.request_detail(user=request.user, pk=pk)).data)


class RequestSubmit(_Transition):
    roles = (Role.SOCIAL_WORKER,)
    transition = "submit"

    @extend_schema(
        operation_id="requests_submit",
        summary="Submit a draft to the district's coordinators",
        request=None,
        responses={200: RequestDetailSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        found = self._apply(request, pk)
        request_services.request_submit(actor=self.actor, request=found)
        return self._answer(request, pk)


class RequestCancel(_Transition):
    roles = (Role.SOCIAL_WORKER, Role.COORDINATOR)
    transition = "cancel"

    @extend_schema(
        operation_id="requests_cancel",
        summary="Cancel a request, saying why",
        request=ReasonSerializer,
        responses={200: RequestDetailSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        found = self._apply(request, pk)
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        request_services.request_cancel(actor=self.actor, request=found, reason=reason.validated_data["reason"])
        return self._answer(request, pk)
