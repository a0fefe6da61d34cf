"""What the API returns and accepts. Reading: plain fields, ids and states, never the sensitive notes (they stay on
the pages of the office and the mediator). Writing: the shape is checked here (types, lengths); the rules are the
form's and the services' (api/requests.py), so a system gets the very messages a social worker reads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from requests_app.models import Gender, Mode, ServiceKind, Setting, Status, Urgency
from requests_app.selectors import language_list


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12, help_text=_("ISO 639-3 code, e.g. ara"))
    variant = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SlotReadSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class SlotWriteSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("Day, in Italian time: YYYY-MM-DD"))
    start = serializers.TimeField(help_text=_("HH:MM, Italian time"))
    end = serializers.TimeField(help_text=_("HH:MM, Italian time"))


class RequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_code = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    office = serializers.IntegerField(source="office_id")
    district = serializers.IntegerField(source="office.district_id")
    service_kind = serializers.ChoiceField(choices=ServiceKind.choices)
    setting = serializers.ChoiceField(choices=Setting.choices)
    preferred_gender = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    deadline = serializers.DateField(allow_null=True)
    adults = serializers.IntegerField()
    minors = serializers.IntegerField()
    expected_sessions = serializers.IntegerField()
    session_minutes = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    languages = serializers.SerializerMethodField()
    assigned_mediator = serializers.IntegerField(
        source="assigned_mediator_id", allow_null=True, help_text=_("The id of the mediator assigned, if any")
    )
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_languages(self, obj) -> list[dict]:
        return [{"code": x.code, "variant": x.variant} for x in language_list(obj)]


class RequestDetailSerializer(RequestSerializer):
    goal = serializers.CharField()
    place = serializers.CharField()
    countries = serializers.SerializerMethodField()
    slots = SlotReadSerializer(many=True, source="slots.all")

    def get_countries(self, obj) -> list[str]:
        return [c.code for c in obj.countries.all()]


class RequestWriteSerializer(serializers.Serializer):
    """A draft: the fields of the request form."""

    case_code = serializers.CharField(max_length=30)
    service_kind = serializers.ChoiceField(choices=ServiceKind.choices)
    setting = serializers.ChoiceField(choices=Setting.choices)
    preferred_gender = serializers.ChoiceField(
        choices=[c for c in Gender.choices if c[0] != Gender.OTHER], required=False, allow_blank=True, default=""
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.ORDINARY)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    adults = serializers.IntegerField(required=False, default=1)
    minors = serializers.IntegerField(required=False, default=0)
    goal = serializers.CharField(max_length=2000)
    expected_sessions = serializers.IntegerField(required=False, default=1)
    session_minutes = serializers.IntegerField(required=False, default=60)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False, default=Mode.IN_PERSON)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    sensitive_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, default=list, max_length=50
    )
    languages = LanguageSerializer(many=True, required=False, default=list)
    slots = SlotWriteSerializer(many=True, required=False, default=list)
    submit = serializers.BooleanField(
        required=False, default=False, help_text=_("Submit it to the district at once instead of keeping a draft")
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why: the office and the district read it"))


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="invalid, not_authenticated, authentication_failed, forbidden, not_found, "
        "conflict, idempotency_key_reused, throttled, server_error"
    )
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
