"""/api/v1/mediators/ (the roster, for the districts' coordinators and the province's staff) and
/api/v1/indicators/ (a province's figures for a period, as the reporting dashboard shows them, with the funder's rule
for the funder's token)."""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Role
from accounts.scoping import visible
from mediators.models import Mediator
from reporting import presenters
from reporting import selectors as reporting_selectors

from .base import ApiView, Cursor
from .errors import Invalid
from .serializers import ErrorSerializer

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 429)}


class MediatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    gender = serializers.CharField()
    provider = serializers.IntegerField(source="provider_id")
    districts = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    modes = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()

    def get_districts(self, obj) -> list[int]:
        return sorted(d.pk for d in obj.districts.all())

    def get_languages(self, obj) -> list[dict]:
        return [{"code": x.code, "variant": x.variant} for x in obj.languages.all()]

    def get_modes(self, obj) -> list[str]:
        return [name for name, on in (("in_person", obj.mode_in_person), ("phone", obj.mode_phone),
                                      ("video", obj.mode_video)) if on]  # fmt: skip


class MediatorList(ApiView):
    # The roster is the coordinators' and the province's tool: a mediator's contacts and rates stay on its pages.
    roles = (Role.COORDINATOR, Role.PROVINCE_STAFF)

    @extend_schema(
        operation_id="mediators_list",
        summary="The roster the token sees (names, languages, districts, modes; never contacts or rates)",
        parameters=[
            OpenApiParameter("language", OpenApiTypes.STR, description="Only those who speak it (ISO 639-3)"),
            OpenApiParameter("active", OpenApiTypes.BOOL, description="Only the active ones (default) or all"),
        ],
        responses={200: MediatorSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        queryset = visible(request.user, Mediator).prefetch_related("districts", "languages").order_by("-pk")
        if request.query_params.get("active", "true").lower() not in ("false", "0", "no"):
            queryset = queryset.filter(is_active=True)
        language = (request.query_params.get("language") or "").strip().lower()
        if language:
            if not (language.isalpha() and len(language) == 3):
                raise Invalid(
                    _("Give an ISO 639-3 language code, e.g. ara."),
                    {"language": [_("Give an ISO 639-3 language code, e.g. ara.")]},
                )
            queryset = queryset.filter(languages__code=language).distinct()
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(MediatorSerializer(page, many=True).data)


def _cell(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _table(table: dict) -> dict:
    return {
        "id": table.get("id", ""),
        "title": str(table["title"]),
        "columns": [str(c) for c in table["columns"]],
        "rows": [[_cell(cell) for cell in row] for row in table["rows"]],
    }


class IndicatorsSerializer(serializers.Serializer):
    province = serializers.IntegerField()
    district = serializers.IntegerField(allow_null=True)
    project = serializers.IntegerField(allow_null=True)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    suppressed = serializers.BooleanField(help_text=_('The funder\'s version: counts of 1 and 2 read "< 3"'))
    key_figures = serializers.ListField(child=serializers.DictField())
    tables = serializers.ListField(child=serializers.DictField())


class Indicators(ApiView):
    roles = reporting_selectors.DASHBOARD_ROLES

    @extend_schema(
        operation_id="indicators",
        summary="A province's figures for a period (a year by default), from the monthly aggregates",
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT, description="The calendar year (default: this year until today)"
            ),
            OpenApiParameter("district", OpenApiTypes.INT, description="One district of the province"),
            OpenApiParameter("project", OpenApiTypes.INT, description="One funded project"),
        ],
        responses={200: IndicatorsSerializer, **ERRORS},
    )
    def get(self, request):
        params = QueryDict(mutable=True)
        year = request.query_params.get("year")
        if year:
            if not (year.isdigit() and 2000 <= int(year) <= 2100):
                raise Invalid(_("Give a year, e.g. 2026."), {"year": [_("Give a year, e.g. 2026.")]})
            params["dal"], params["al"] = dt.date(int(year), 1, 1).isoformat(), dt.date(int(year), 12, 31).isoformat()
        for ours, theirs in (("district", "ambito"), ("project", "progetto")):
            if request.query_params.get(ours):
                params[theirs] = request.query_params[ours]
        scope = reporting_selectors.dashboard_scope(user=request.user, params=params, whole_months=True)
        data = reporting_selectors.dashboard_figures(user=request.user, scope=scope)
        tables = [*presenters.tables(data), presenters.evaluation_table(data), *presenters.budget_tables(data)]
        return Response(
            {
                "province": scope.province.pk,
                "district": scope.district.pk if scope.district else None,
                "project": scope.project.pk if scope.project else None,
                "date_from": scope.date_from.isoformat(),
                "date_to": scope.date_to.isoformat(),
                "suppressed": scope.suppress,
                "key_figures": [
                    {"label": str(label), "value": _cell(value)} for label, value in presenters.key_figures(data)
                ],
                "tables": [_table(table) for table in tables],
            }
        )
