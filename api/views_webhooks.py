"""/api/v1/webhooks/: a system registers the addresses it wants to be told at, lists them, reads their deliveries,
removes them. Only with a token: the webhook belongs to the token and sees what its account sees."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Role
from accounts.scoping import get_for_user_or_404, visible

from . import webhooks
from .base import ApiView, Cursor
from .models import ApiToken, Webhook, WebhookDelivery
from .serializers import ErrorSerializer

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 429)}
SUBSCRIBERS = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(max_length=500, help_text=_("https:// address that receives the POSTs"))
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Webhook.Event.choices),
        required=False,
        help_text=_("The events to be told of; all of them when left out"),
    )
    created_at = serializers.DateTimeField(read_only=True)
    active = serializers.SerializerMethodField()
    failures_in_a_row = serializers.IntegerField(read_only=True)

    def get_active(self, obj) -> bool:
        return obj.disabled_at is None


class WebhookMadeSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("Shown only now: it signs every delivery (Mediazione-Signature)")
    )


class DeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    event = serializers.CharField()
    state = serializers.ChoiceField(choices=WebhookDelivery.State.choices)
    attempts = serializers.IntegerField()
    last_status = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField()
    payload = serializers.JSONField()


class _DeliveriesPage(Cursor):
    ordering = "-created_at"


def _token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class WebhookList(ApiView):
    roles = SUBSCRIBERS

    @extend_schema(
        operation_id="webhooks_list",
        summary="The token's webhooks",
        responses={200: WebhookSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        rows = visible(request.user, Webhook).order_by("pk")[:50]
        return Response(WebhookSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Register an address to be told of changes (the secret is shown once)",
        request=WebhookSerializer,
        responses={201: WebhookMadeSerializer, **ERRORS},
    )
    def post(self, request):
        shape = WebhookSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        hook = webhooks.webhook_create(
            actor=self.actor,
            token=_token(request),
            url=shape.validated_data["url"],
            events=shape.validated_data.get("events") or [],
        )
        return Response(WebhookMadeSerializer(hook).data, status=status.HTTP_201_CREATED)


class WebhookDetail(ApiView):
    roles = SUBSCRIBERS

    @extend_schema(operation_id="webhooks_read", summary="One webhook", responses={200: WebhookSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(WebhookSerializer(get_for_user_or_404(request.user, Webhook, pk=pk)).data)

    @extend_schema(operation_id="webhooks_delete", summary="Stop telling this address", responses={204: None, **ERRORS})
    def delete(self, request, pk: int):
        webhooks.webhook_delete(webhook=get_for_user_or_404(request.user, Webhook, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveries(ApiView):
    roles = SUBSCRIBERS

    @extend_schema(
        operation_id="webhooks_deliveries",
        summary="The deliveries of a webhook, newest first, with their outcome",
        responses={200: DeliverySerializer(many=True), **ERRORS},
    )
    def get(self, request, pk: int):
        hook = get_for_user_or_404(request.user, Webhook, pk=pk)
        paginator = _DeliveriesPage()
        page = paginator.paginate_queryset(hook.deliveries.all(), request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)
