"""/api/v1/guide/services/: the published mini-guide in Open Referral HSDS 3 JSON, for anyone, without a token.

Only what the public pages show: each entry's published version (guide/hsds.py builds the records from it), in the
language asked for (``?lang=`` or Accept-Language) where an approved translation was made from the published Italian,
else in Italian. Drafts, withdrawn entries and entries never published do not exist here (404)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import District, Province
from guide import hsds
from guide import selectors as guide_selectors
from guide.models import TaxonomyTerm

from .base import Cursor, PublicApiView
from .errors import Invalid
from .serializers import ErrorSerializer

ERRORS = {code: ErrorSerializer for code in (400, 404, 429)}
TEXT_FIELDS = ["name", "description", "fees_description", "eligibility_description", "application_process"]


# --- The shape (HSDS 3 names; documented in the OpenAPI schema and checked by tests/test_api_guide.py) ---------------


class HsdsOrganizationSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        allow_null=True, help_text="The directory's organisation of that name (null if it was renamed since)"
    )
    name = serializers.CharField()


class HsdsLanguageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 639-3, e.g. ara")


class HsdsTaxonomyTermSerializer(serializers.Serializer):
    id = serializers.CharField()
    code = serializers.CharField(help_text="e.g. salute, scuola-infanzia")
    name = serializers.CharField()
    taxonomy = serializers.CharField()
    language = serializers.CharField(help_text="The language of the name (ISO 639-3): the one asked for, or ita")


class HsdsAttributeSerializer(serializers.Serializer):
    link_id = serializers.UUIDField()
    link_type = serializers.CharField()
    link_entity = serializers.CharField()
    taxonomy_term = HsdsTaxonomyTermSerializer()


class HsdsTextLanguagesSerializer(serializers.Serializer):
    """The language each translatable text is in (ISO 639-3): the one asked for where an approved translation of
    the published Italian exists, else ita."""

    name = serializers.CharField()
    description = serializers.CharField()
    fees_description = serializers.CharField()
    eligibility_description = serializers.CharField()
    application_process = serializers.CharField()


class HsdsServiceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    alternate_name = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()
    email = serializers.CharField()
    status = serializers.ChoiceField(choices=["active", "inactive", "defunct", "temporarily closed"])
    fees_description = serializers.CharField()
    eligibility_description = serializers.CharField()
    application_process = serializers.CharField()
    assured_date = serializers.DateField(allow_null=True, help_text="The day someone last checked it against reality")
    text_languages = HsdsTextLanguagesSerializer()
    organization = HsdsOrganizationSerializer()
    languages = HsdsLanguageSerializer(many=True, help_text="The languages spoken there")
    attributes = HsdsAttributeSerializer(many=True, help_text="Its category, as a taxonomy term")


class HsdsAddressSerializer(serializers.Serializer):
    address_1 = serializers.CharField()
    city = serializers.CharField()
    postal_code = serializers.CharField()
    state_province = serializers.CharField()
    country = serializers.CharField()
    address_type = serializers.CharField()


class HsdsAccessibilitySerializer(serializers.Serializer):
    description = serializers.CharField()


class HsdsLocationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    location_type = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    transportation = serializers.CharField()
    addresses = HsdsAddressSerializer(many=True)
    accessibility = HsdsAccessibilitySerializer(many=True)


class HsdsPhoneSerializer(serializers.Serializer):
    number = serializers.CharField()
    type = serializers.CharField(help_text="voice, cell, fax or text")
    description = serializers.CharField()


class HsdsScheduleSerializer(serializers.Serializer):
    freq = serializers.CharField()
    byday = serializers.CharField(help_text="RFC 5545 days, e.g. MO,WE,FR")
    opens_at = serializers.CharField(help_text="HH:MM, Italian time")
    closes_at = serializers.CharField(help_text="HH:MM, Italian time")
    description = serializers.CharField()


class GuideProvinceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class GuideDistrictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HsdsServiceAtLocationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    location_id = serializers.UUIDField()
    service = HsdsServiceSerializer()
    location = HsdsLocationSerializer()
    phones = HsdsPhoneSerializer(many=True)
    schedules = HsdsScheduleSerializer(many=True)
    province = GuideProvinceSerializer()
    district = GuideDistrictSerializer(allow_null=True, help_text="Null: the entry is for the whole province")
    published_at = serializers.DateTimeField()


class GuideLanguageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 639-3")
    tag = serializers.CharField(help_text="BCP 47")
    direction = serializers.ChoiceField(choices=["ltr", "rtl"])


class HsdsServiceAtLocationPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    language = GuideLanguageSerializer(help_text="The language asked for (texts without its translation are in ita)")
    results = HsdsServiceAtLocationSerializer(many=True)


# --- Parameters -------------------------------------------------------------------------------------------------------


def _param(request, name: str) -> str:
    """A query parameter as text, trimmed and without NUL (PostgreSQL refuses it), at most 100 characters."""
    return (request.query_params.get(name) or "").replace("\x00", "").strip()[:100]


def _number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def _refuse(field: str, message: str):
    raise Invalid(message, {field: [message]})


def _filters(request) -> dict:
    filters: dict = {"province": None}
    value = _param(request, "province")
    if value:
        number = _number(value)
        province = Province.objects.filter(pk=number).first() if number is not None else None
        province = province or Province.objects.filter(slug=value).first()
        if province is None:
            _refuse("province", _("No province has this short name or id."))
        filters["province"] = province
    value = _param(request, "district")
    if value:
        number = _number(value)
        district = District.objects.filter(pk=number).first() if number is not None else None
        if district is None or (filters["province"] is not None and district.province_id != filters["province"].pk):
            _refuse("district", _("No district of the province has this id."))
        filters["district"] = district
    value = _param(request, "category")
    if value:
        term = TaxonomyTerm.objects.filter(code=value).first()
        if term is None:
            _refuse("category", _("The guide has no category with this code."))
        filters["category"] = term
    value = _param(request, "language").lower()
    if value:
        if not (value.isascii() and value.isalpha() and len(value) == 3):
            _refuse("language", _("Give an ISO 639-3 language code, e.g. ara."))
        filters["speaks"] = value
    filters["query"] = _param(request, "q")
    return filters


LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    description="The language of the texts: an ISO 639-3 code of the guide (ara, eng, zho…) or its BCP 47 tag; "
    "without it, Accept-Language; a language the guide does not have reads Italian",
)


class GuideView(PublicApiView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.guide_language = hsds.language_for(
            asked=request.query_params.get("lang"),
            accept_language=request.headers.get("Accept-Language", ""),
            languages=guide_selectors.guide_languages(),
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        language = getattr(self, "guide_language", None)
        if response.status_code == 200 and language is not None:
            response["Content-Language"] = language.tag
        return response


class GuideServiceList(GuideView):
    @extend_schema(
        operation_id="guide_services_list",
        summary="The published entries of the guide (HSDS service_at_location), for anyone, without a token",
        auth=[],
        parameters=[
            OpenApiParameter("province", OpenApiTypes.STR, description="A province: its short name (cremona) or id"),
            OpenApiParameter(
                "district", OpenApiTypes.INT, description="A district: its own entries and its province's whole ones"
            ),
            OpenApiParameter("category", OpenApiTypes.STR, description="A category's code, e.g. salute"),
            OpenApiParameter("language", OpenApiTypes.STR, description="Only where it is spoken (ISO 639-3)"),
            OpenApiParameter("q", OpenApiTypes.STR, description="Words in the name or description (Italian or lang)"),
            LANG,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="The page: follow next and previous"),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Entries a page (50; at most 200)"),
        ],
        responses={200: HsdsServiceAtLocationPageSerializer, **ERRORS},
    )
    def get(self, request):
        filters = _filters(request)
        language = self.guide_language
        queryset = guide_selectors.public_entries(
            **filters, language=None if language.code == hsds.ITALIAN.code else language.code
        ).select_related("province")
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = HsdsServiceAtLocationSerializer(hsds.records(page, language=language), many=True).data
        return Response(
            {
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "language": {"code": language.code, "tag": language.tag, "direction": language.direction},
                "results": data,
            }
        )


class GuideServiceDetail(GuideView):
    @extend_schema(
        operation_id="guide_service",
        summary="One published entry of the guide (a draft, withdrawn or never published: 404)",
        auth=[],
        parameters=[LANG],
        responses={200: HsdsServiceAtLocationSerializer, 404: ErrorSerializer, 429: ErrorSerializer},
    )
    def get(self, request, pk):
        entry = guide_selectors.public_entry(province=None, pk=pk)
        record = hsds.records([entry], language=self.guide_language)[0]
        return Response(HsdsServiceAtLocationSerializer(record).data)
