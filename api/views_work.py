"""/api/v1/appointments/, /api/v1/session-reports/, /api/v1/offers/: what happened after a request was filed, read
with the pages' scoping (an object outside it answers 404). Ids, times and states: never the sensitive notes of a
report, never a reason for declining."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Role
from accounts.scoping import get_for_user_or_404, visible
from audit.services import record_read
from scheduling.models import Appointment, Offer
from sessions_app.models import SessionReport

from .base import ApiView, Cursor, moment_param, status_param
from .errors import Invalid
from .serializers import ErrorSerializer

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 429)}
READERS = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)


class AppointmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    request = serializers.IntegerField(source="request_id")
    mediator = serializers.IntegerField(source="mediator_id")
    series = serializers.IntegerField(source="series_id", allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=Appointment._meta.get_field("mode").choices)
    status = serializers.ChoiceField(choices=Appointment.Status.choices)
    late_cancellation = serializers.BooleanField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class SessionReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    appointment = serializers.IntegerField(source="appointment_id")
    request = serializers.IntegerField(source="appointment.request_id")
    status = serializers.ChoiceField(choices=SessionReport.Status.choices)
    outcome = serializers.ChoiceField(choices=SessionReport.Outcome.choices)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    mode = serializers.CharField()
    language = serializers.CharField(help_text=_("ISO 639-3 code of the language used"))
    adults_present = serializers.IntegerField()
    minors_present = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    request = serializers.IntegerField(source="request_id")
    mediator = serializers.IntegerField(source="mediator_id")
    status = serializers.ChoiceField(choices=Offer.Status.choices)
    tier = serializers.IntegerField()
    release_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


def _filtered(request, queryset, *, status_choices, moment_field: str):
    wanted = request.query_params.get("status")
    if wanted:
        queryset = queryset.filter(status=status_param(wanted, status_choices))
    about = request.query_params.get("request")
    if about:
        if not about.isdigit() or len(about) > 12:
            raise Invalid(_("Give the id of a request."), {"request": [_("Give the id of a request.")]})
        queryset = queryset.filter(
            **{"appointment__request_id" if queryset.model is SessionReport else "request_id": int(about)}
        )
    since = request.query_params.get("updated_since")
    if since:
        queryset = queryset.filter(**{f"{moment_field}__gte": moment_param(since)})
    return queryset


def _list_parameters(statuses) -> list:
    return [
        OpenApiParameter("status", OpenApiTypes.STR, enum=list(statuses), description="Only in this state"),
        OpenApiParameter("request", OpenApiTypes.INT, description="Only of this request"),
        OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Changed at or after (ISO 8601)"),
    ]


class AppointmentList(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="appointments_list",
        summary="The appointments the token sees, newest first",
        parameters=_list_parameters(Appointment.Status.values),
        responses={200: AppointmentSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        queryset = _filtered(
            request,
            visible(request.user, Appointment).order_by("-pk"),
            status_choices=Appointment.Status.values,
            moment_field="updated_at",
        )
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(AppointmentSerializer(page, many=True).data)


class AppointmentDetail(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="appointments_read", summary="One appointment", responses={200: AppointmentSerializer, **ERRORS}
    )
    def get(self, request, pk: int):
        found = get_for_user_or_404(request.user, Appointment, pk=pk)
        record_read(request=request, obj=found)
        return Response(AppointmentSerializer(found).data)


class SessionReportList(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="session_reports_list",
        summary="The session reports the token sees, newest first (never their sensitive notes)",
        parameters=_list_parameters(SessionReport.Status.values),
        responses={200: SessionReportSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        queryset = _filtered(
            request,
            visible(request.user, SessionReport).select_related("appointment").order_by("-pk"),
            status_choices=SessionReport.Status.values,
            moment_field="submitted_at",
        )
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(SessionReportSerializer(page, many=True).data)


class SessionReportDetail(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="session_reports_read",
        summary="One session report",
        responses={200: SessionReportSerializer, **ERRORS},
    )
    def get(self, request, pk: int):
        found = get_for_user_or_404(request.user, SessionReport.objects.select_related("appointment"), pk=pk)
        record_read(request=request, obj=found)
        return Response(SessionReportSerializer(found).data)


class OfferList(ApiView):
    # The offers of a request are the district's work: its coordinators, the province, and each mediator their own.
    roles = (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.MEDIATOR)

    @extend_schema(
        operation_id="offers_list",
        summary="The offers the token sees, newest first",
        parameters=_list_parameters(Offer.Status.values),
        responses={200: OfferSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        queryset = _filtered(
            request,
            visible(request.user, Offer).order_by("-pk"),
            status_choices=Offer.Status.values,
            moment_field="created_at",
        )
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(OfferSerializer(page, many=True).data)
