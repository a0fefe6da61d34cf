"""/api/v1/report-jobs/: reports asked for, followed and downloaded by another system as on the reporting pages
(reporting.views ``jobs``, ``job_detail``, ``job_download``): the same roles, the same scope (the dashboard's, then
the service's checks), the same service and the same file, its download written to the read audit like the page's."""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from core.errors import DomainError
from reporting import exports
from reporting import selectors as reporting_selectors
from reporting import services as reporting_services
from reporting.models import ReportJob

from . import services
from .base import ApiView, Cursor, status_param
from .errors import Conflict, Invalid
from .idempotency import LostRace, idempotency_key, replay
from .serializers import ErrorSerializer

# Whoever asks for reports on the pages: the province staff (their province), a district's coordinators (their
# district, the reports they asked for) and the funder viewer (the projects it funds, counts below 3 hidden).
READERS = reporting_selectors.DASHBOARD_ROLES
ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 429)}
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (e.g. a UUID): sent again with the same body, the call asks for nothing new and "
    "answers what it answered the first time.",
)
STATES = ["waiting_service", "queued", "retrying", "running", "stalled", "done", "failed"]
# The messages of the service (reporting.services.report_job_create) and of the pages, for the same mistakes.
FORMAT_MESSAGE = gettext_lazy("Choose PDF, CSV or XLSX.")
AUDIENCE_MESSAGE = gettext_lazy("Choose who the report is for.")
YEAR_MESSAGE = gettext_lazy("Give a year, e.g. 2026.")
DISTRICT_MESSAGE = gettext_lazy("Choose one of the districts in the list.")
PROJECT_MESSAGE = gettext_lazy("Choose one of the projects in the list.")
LARGEST_ID = 2**31 - 1


def _choice(message):
    return {"required": message, "null": message, "invalid_choice": message}


def _number(message):
    return {
        "invalid": message,
        "null": message,
        "min_value": message,
        "max_value": message,
        "max_string_length": message,
    }


class ReportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ReportJob.Status.choices)
    state = serializers.ChoiceField(
        choices=STATES,
        help_text="What the page says: waiting_service (the background service has not taken it yet: it will), "
        "queued, retrying (an attempt was interrupted), running, stalled (its worker went silent: it is tried again), "
        "done, failed",
    )
    progress = serializers.IntegerField(help_text="Per cent, 0–100")
    format = serializers.ChoiceField(choices=ReportJob.Format.choices)
    audience = serializers.ChoiceField(
        choices=ReportJob.Audience.choices, help_text="funder: counts below 3 hidden (always so for the funder)"
    )
    province = serializers.IntegerField(source="province_id")
    district = serializers.IntegerField(source="district_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    date_from = serializers.DateField()
    date_to = serializers.DateField(help_text="Included")
    attempts = serializers.IntegerField()
    error = serializers.SerializerMethodField(help_text="Why it failed, for a person to read (null unless failed)")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(help_text="The file and the job are deleted after this moment")
    url = serializers.SerializerMethodField(help_text="This job, to poll")
    download = serializers.SerializerMethodField(help_text="The file, once the job is done (null before)")

    def get_error(self, obj) -> str | None:
        return (obj.error or None) if obj.status == ReportJob.Status.FAILED else None

    def _absolute(self, name: str, obj) -> str:
        path = reverse(name, args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, obj) -> str:
        return self._absolute("api:report_job", obj)

    def get_download(self, obj) -> str | None:
        if obj.status != ReportJob.Status.DONE or not obj.file:
            return None
        return self._absolute("api:report_job_download", obj)


class ReportJobWriteSerializer(serializers.Serializer):
    """What the page's form sends (format, version, the dashboard's period, district and project), under the
    service's names; the rules are the service's, with its messages."""

    format = serializers.ChoiceField(choices=ReportJob.Format.choices, error_messages=_choice(FORMAT_MESSAGE))
    audience = serializers.ChoiceField(
        choices=ReportJob.Audience.choices,
        required=False,
        default=ReportJob.Audience.PROVINCE,
        error_messages=_choice(AUDIENCE_MESSAGE),
        help_text="The funder's token always gets the funder's version",
    )
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages=_number(YEAR_MESSAGE),
        help_text="A calendar year, instead of date_from and date_to",
    )
    date_from = serializers.DateField(required=False, help_text="Default: 1 January of this year")
    date_to = serializers.DateField(required=False, help_text="Included. Default: today")
    district = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=LARGEST_ID,
        error_messages=_number(DISTRICT_MESSAGE),
        help_text="One district of the province (a coordinator's token: their own, by default)",
    )
    project = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=LARGEST_ID,
        error_messages=_number(PROJECT_MESSAGE),
        help_text="One funded project (the funder's token: the first it funds, by default)",
    )

    def validate(self, attrs):
        if "year" in attrs and ("date_from" in attrs or "date_to" in attrs):
            message = _("Give either a year or a period (date_from and date_to), not both.")
            raise serializers.ValidationError({"year": [message]})
        return attrs


def _asked_for(user, data: dict) -> dict:
    """The report's province, district, project and period, as the page's form gives them to the service: the
    dashboard's scope for the token's role (a coordinator's district, the funder's project), with the district and
    project asked for. One outside the token's reach is refused on its field, where the page (whose lists offer
    only the token's) would drop it: a system asking for a district's report never gets the province's instead."""
    district = project = None
    if data.get("district") is not None:
        district = reporting_selectors.districts(user=user).filter(pk=data["district"]).first()
        if district is None:
            raise Invalid(DISTRICT_MESSAGE, {"district": [str(DISTRICT_MESSAGE)]})
    if data.get("project") is not None:
        project = reporting_selectors.projects(user=user).filter(pk=data["project"]).first()
        if project is None:
            raise Invalid(PROJECT_MESSAGE, {"project": [str(PROJECT_MESSAGE)]})
    params = QueryDict(mutable=True)
    if district is not None:
        params["ambito"] = str(district.pk)
    if project is not None:
        params["progetto"] = str(project.pk)
    scope = reporting_selectors.dashboard_scope(user=user, params=params)
    today = timezone.localdate()
    if "year" in data:
        date_from, date_to = dt.date(data["year"], 1, 1), dt.date(data["year"], 12, 31)
    else:
        date_from = data.get("date_from") or dt.date(today.year, 1, 1)
        date_to = data.get("date_to") or today
    # The period as asked: the service says what is wrong with it (the page's form cannot send it reversed).
    return {
        "province": scope.province,
        "district": district or scope.district,
        "project": project or scope.project,
        "date_from": date_from,
        "date_to": date_to,
    }


def _replay_job(earlier, fingerprint: str) -> Response:
    """The answer kept for the key, again, with the job's address to poll."""
    job = earlier.body.get("id") if earlier.fingerprint == fingerprint else None
    return replay(earlier, fingerprint, headers={"Location": reverse("api:report_job", args=[job])} if job else None)


class ReportJobList(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="report_jobs_list",
        summary="The reports the token sees, newest first (the province's for its staff; one's own otherwise)",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=ReportJob.Status.values, description="Only in this state"
            ),
        ],
        responses={200: ReportJobSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        queryset = reporting_selectors.report_jobs(user=request.user)
        wanted = request.query_params.get("status")
        if wanted:
            queryset = queryset.filter(status=status_param(wanted, ReportJob.Status.values))
        paginator = _NewestFirst()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ReportJobSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="report_jobs_create",
        summary="Ask for a report: it is prepared in the background; poll the address in Location",
        request=ReportJobWriteSerializer,
        parameters=[
            IDEMPOTENCY,
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[202],
                description="The job's address, to poll",
            ),
        ],
        responses={202: ReportJobSerializer, 422: ErrorSerializer, **ERRORS},
    )
    def post(self, request):
        key = idempotency_key(request)
        fingerprint = services.call_fingerprint(request.method, request.path, request.body)
        if key:
            earlier = services.idempotent_answer(user=request.user, key=key)
            if earlier is not None:
                return _replay_job(earlier, fingerprint)
        shape = ReportJobWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        asked = _asked_for(request.user, shape.validated_data)
        try:
            with transaction.atomic():
                if key and not services.idempotent_claim(user=request.user, key=key, fingerprint=fingerprint):
                    raise LostRace
                job = reporting_services.report_job_create(
                    actor=self.actor,
                    format=shape.validated_data["format"],
                    audience=shape.validated_data["audience"],
                    **asked,
                )
                body = json.loads(json.dumps(ReportJobSerializer(job, context={"request": request}).data, default=str))
                if key:
                    services.idempotent_keep(user=request.user, key=key, status=202, body=body)
        except LostRace:
            # The same key, sent twice at once: the other call won (its answer is kept now); this one asked nothing.
            return _replay_job(services.idempotent_answer(user=request.user, key=key), fingerprint)
        # Sent to the background service once committed (or run at once without a broker): say how it is now.
        job = reporting_selectors.report_job(user=request.user, pk=job.pk)
        return Response(
            ReportJobSerializer(job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:report_job", args=[job.pk])},
        )


class _NewestFirst(Cursor):
    # The jobs' keys are UUIDs: pages follow the moment they were asked for (the page's order), then the key.
    ordering = ("-created_at", "-pk")


class ReportJobDetail(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="report_jobs_read",
        summary="One report: poll it until its state is done (or failed)",
        responses={200: ReportJobSerializer, **ERRORS},
    )
    def get(self, request, pk):
        job = reporting_selectors.report_job(user=request.user, pk=pk)
        return Response(ReportJobSerializer(job, context={"request": request}).data)


class ReportJobDownload(ApiView):
    roles = READERS

    def perform_content_negotiation(self, request, force=False):
        # A system may say it accepts only the file's type: the file is the answer, an error still JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="report_jobs_download",
        summary="The report's file (PDF, CSV or XLSX), once done; 409 before, or when it failed",
        responses={
            **{(200, media.split(";")[0]): OpenApiTypes.BINARY for media in exports.CONTENT_TYPES.values()},
            409: ErrorSerializer,
            **ERRORS,
        },
    )
    def get(self, request, pk):
        job = reporting_selectors.report_job(user=request.user, pk=pk)
        if job.status == ReportJob.Status.FAILED:
            raise Conflict(_("This report could not be prepared, so there is no file: ask for it again."))
        if job.status != ReportJob.Status.DONE:
            raise Conflict(_("This report is still being prepared."))
        return exports.file_response(request, job)


class ReportJobRepeat(ApiView):
    roles = READERS

    @extend_schema(
        operation_id="report_jobs_repeat",
        summary="Prepare a finished or failed report again: a new job with the same scope, period, format and version",
        request=None,
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[202],
                description="The new job's address, to poll",
            ),
        ],
        responses={202: ReportJobSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request, pk):
        # The page's "Prepare it again" (reporting.views.job_repeat): out of scope 404, still being prepared 409.
        job = reporting_selectors.report_job(user=request.user, pk=pk)
        try:
            new = reporting_services.report_job_repeat(actor=self.actor, job=job)
        except DomainError as exc:
            raise Conflict(exc.message) from None
        new = reporting_selectors.report_job(user=request.user, pk=new.pk)
        return Response(
            ReportJobSerializer(new, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:report_job", args=[new.pk])},
        )
