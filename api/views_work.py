"""/api/v1/appointments/, /api/v1/session-reports/, /api/v1/offers/: what happened after a request was filed, read
with the pages' scoping (an object outside it answers 404). Ids, times and states: never the sensitive notes of a
report, never a reason for declining. A mediator's token also writes the reports of its appointments, through the
report form and service of the pages (api/reports.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.models import Role
from accounts.scoping import get_for_user_or_404, visible
from audit.services import record_read
from mediators.models import Mode
from scheduling.models import Appointment, Offer
from sessions_app import selectors as report_selectors
from sessions_app.models import SessionReport

from . import reports
from .base import ApiView, Cursor, moment_param, status_param
from .errors import Conflict, Invalid
from .serializers import ErrorSerializer

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 429)}
WRITE_ERRORS = {**ERRORS, 409: ErrorSerializer}
READERS = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)
# Reports are written by the appointment's mediator (and administrators); the other roles keep reading them.
REPORT_WRITERS = (Role.MEDIATOR,)


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


class SessionReportChangeSerializer(serializers.Serializer):
    """The fields of the report form; each one left out keeps what the form would show (api/reports.py)."""

    date = serializers.DateField(required=False, help_text=gettext_lazy("Day of the session, Italian time: YYYY-MM-DD"))
    start = serializers.TimeField(required=False, help_text=gettext_lazy("Actual start, HH:MM, Italian time"))
    end = serializers.TimeField(required=False, help_text=gettext_lazy("Actual end, HH:MM, Italian time"))
    outcome = serializers.ChoiceField(choices=SessionReport.Outcome.choices, required=False)
    outcome_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required unless the session was held"),
    )
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    adults_present = serializers.IntegerField(required=False)
    minors_present = serializers.IntegerField(required=False)
    operators_present = serializers.IntegerField(required=False)
    language = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("ISO 639-3 code of the language used: one of the request's or the mediator's, or ita"),
    )
    language_variant = serializers.CharField(max_length=100, required=False, allow_blank=True)
    travel_km = serializers.DecimalField(max_digits=None, decimal_places=None, coerce_to_string=False, required=False)
    travel_minutes = serializers.IntegerField(required=False)
    expenses = serializers.DecimalField(max_digits=None, decimal_places=None, coerce_to_string=False, required=False)
    expenses_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sensitive_notes = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Read only by the requesting office and the mediator: never returned by the API"),
    )
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Submit it to the office and the coordinators at once instead of keeping a draft"),
    )


class SessionReportWriteSerializer(SessionReportChangeSerializer):
    appointment = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=gettext_lazy("The id of the appointment the report is about")
    )


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
    write_roles = REPORT_WRITERS

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

    @extend_schema(
        operation_id="session_reports_create",
        summary="Write the report of one of the token's appointments (a draft, or submitted with submit=true)",
        request=SessionReportWriteSerializer,
        responses={201: SessionReportSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        shape = SessionReportWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = dict(shape.validated_data)
        submit = data.pop("submit")
        appointment = report_selectors.appointment_for_report(user=request.user, pk=data.pop("appointment"))
        _refuse_unless_writer(request, appointment)
        report = report_selectors.report_of(appointment)
        if report is not None:
            raise Conflict(
                _("This appointment already has its report: change it with PATCH /api/v1/session-reports/%(id)s/.")
                % {"id": report.pk}
            )
        reports.refuse_unless_writable(appointment=appointment, report=None)
        saved = reports.save_report(actor=self.actor, appointment=appointment, report=None, data=data, submit=submit)
        return Response(
            SessionReportSerializer(saved).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{saved.pk}/"},
        )


def _refuse_unless_writer(request, appointment: Appointment) -> None:
    if not report_selectors.may_write_report(user=request.user, appointment=appointment):
        raise exceptions.PermissionDenied(_("Only the appointment's mediator writes its report through the API."))


def _report_to_write(request, pk: int) -> SessionReport:
    """The report, 404 outside the token's scope, 403 for whoever may not write it, 409 when its state (or an
    approved timesheet) does not allow a change."""
    report = report_selectors.report_detail(user=request.user, pk=pk)
    _refuse_unless_writer(request, report.appointment)
    reports.refuse_unless_writable(appointment=report.appointment, report=report)
    return report


class SessionReportDetail(ApiView):
    roles = READERS
    write_roles = REPORT_WRITERS

    @extend_schema(
        operation_id="session_reports_read",
        summary="One session report",
        responses={200: SessionReportSerializer, **ERRORS},
    )
    def get(self, request, pk: int):
        found = get_for_user_or_404(request.user, SessionReport.objects.select_related("appointment"), pk=pk)
        record_read(request=request, obj=found)
        return Response(SessionReportSerializer(found).data)

    @extend_schema(
        operation_id="session_reports_change",
        summary="Correct a draft or a report sent back (the fields left out keep their values)",
        request=SessionReportChangeSerializer,
        responses={200: SessionReportSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk: int):
        report = _report_to_write(request, pk)
        shape = SessionReportChangeSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = dict(shape.validated_data)
        submit = data.pop("submit")
        saved = reports.save_report(
            actor=self.actor, appointment=report.appointment, report=report, data=data, submit=submit
        )
        return Response(SessionReportSerializer(saved).data)


class SessionReportSubmit(ApiView):
    roles = REPORT_WRITERS

    @extend_schema(
        operation_id="session_reports_submit",
        summary="Submit a draft (or a corrected report) to the office and the district's coordinators",
        request=None,
        responses={200: SessionReportSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        report = _report_to_write(request, pk)
        submitted = reports.submit_report(actor=self.actor, report=report)
        return Response(SessionReportSerializer(submitted).data)


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
