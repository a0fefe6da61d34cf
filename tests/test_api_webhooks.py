"""Webhooks as a municipal system receives them: registered with its token, told when its requests change state and
their appointments are planned, moved or cancelled, each POST signed with its secret, retried while the system does
not answer, and switched off when it never does. The receiver is written here, as the system would write it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.scoping import actor_for
from api import webhooks
from api.models import Webhook, WebhookDelivery
from requests_app import services as request_services
from scheduling import services as scheduling_services

from . import factories as f
from .api_support import ApiClient, token_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)  # a Thursday


class Receiver:
    """A system's endpoint: keeps what it gets, answers ``status``, and checks the signature with its secret."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/mediazione"

    def events(self, secret: str) -> list[dict]:
        """The bodies received, each after checking its signature as a receiver must."""
        checked = []
        for item in self.received:
            parts = dict(part.split("=", 1) for part in item["headers"]["Mediazione-Signature"].split(","))
            expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + item["body"], hashlib.sha256).hexdigest()
            assert hmac.compare_digest(parts["v1"], expected), "the signature does not match the body"
            checked.append(json.loads(item["body"]))
        return checked

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world():
    district = f.DistrictFactory()
    office = f.OfficeFactory(district=district)
    other_office = f.OfficeFactory(district=district)
    worker = f.social_worker(office=office)
    coordinator = f.coordinator(district=district)
    return {"district": district, "office": office, "other_office": other_office, "worker": worker,
            "coordinator": coordinator}  # fmt: skip


def _register(key, url, events=None):
    response = ApiClient(key).post(reverse("api:webhooks"), {"url": url, **({"events": events} if events else {})})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_district_system_is_told_when_a_request_of_its_district_is_submitted(
    world, receiver, clock, django_capture_on_commit_callbacks
):
    district_key = token_for(role=Role.COORDINATOR, district=world["district"])[1]
    office_key = token_for(role=Role.SOCIAL_WORKER, office=world["office"])[1]
    other_key = token_for(role=Role.SOCIAL_WORKER, office=world["other_office"])[1]
    hook = _register(district_key, receiver.url, ["request.status_changed"])
    _register(other_key, receiver.url + "/other")
    assert len(hook["secret"]) == 64
    assert "secret" not in json.dumps(ApiClient(district_key).get(reverse("api:webhooks")).json())

    draft = f.MediationRequestFactory(office=world["office"], status="draft", requester=world["worker"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = ApiClient(office_key).post(reverse("api:request_submit", args=[draft.pk]))
    assert answer.status_code == 200

    [event] = receiver.events(hook["secret"])
    assert event["event"] == "request.status_changed"
    assert event["data"] == {"request": draft.pk, "office": world["office"].pk, "status": "submitted",
                             "previous_status": "draft"}  # fmt: skip
    assert set(event) == {"id", "event", "occurred_at", "data"}
    assert [r["headers"]["Mediazione-Event"] for r in receiver.received] == ["request.status_changed"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_the_office_system_is_told_of_its_appointments_planned_moved_and_cancelled(
    world, receiver, clock, django_capture_on_commit_callbacks
):
    office_key = token_for(role=Role.SOCIAL_WORKER, office=world["office"])[1]
    hook = _register(office_key, receiver.url, ["appointment.planned", "appointment.moved", "appointment.cancelled"])
    mediator = f.MediatorFactory(
        districts=[world["district"]], provider=f.ProviderFactory(province=world["district"].province)
    )
    request = f.MediationRequestFactory(
        office=world["office"], status="assigned", assigned_mediator=mediator, requester=world["worker"]
    )
    coordinator = actor_for(world["coordinator"])
    start = NOW + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = scheduling_services.appointment_create(
            actor=coordinator,
            request=request,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            place="Via Roma 1",
        )
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_reschedule(
            actor=coordinator,
            appointment=appointment,
            starts_at=start + dt.timedelta(days=1),
            ends_at=start + dt.timedelta(days=1, hours=1),
            reason="La famiglia chiede un altro giorno.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_cancel(
            actor=coordinator, appointment=appointment, reason="Famiglia trasferita."
        )
    events = receiver.events(hook["secret"])
    assert [e["event"] for e in events] == ["appointment.planned", "appointment.moved", "appointment.cancelled"]
    assert events[1]["data"]["starts_at"] == (start + dt.timedelta(days=1)).isoformat()
    assert events[2]["data"] == {**events[2]["data"], "appointment": appointment.pk, "request": request.pk,
                                 "status": "cancelled"}  # fmt: skip
    assert all("place" not in e["data"] and "reason" not in json.dumps(e) for e in events)


def test_a_rolled_back_change_tells_nobody(world, receiver, clock, django_capture_on_commit_callbacks):
    from django.db import transaction

    district_key = token_for(role=Role.COORDINATOR, district=world["district"])[1]
    _register(district_key, receiver.url)
    draft = f.MediationRequestFactory(office=world["office"], status="draft", requester=world["worker"])
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            request_services.request_submit(actor=actor_for(world["worker"]), request=draft)
            transaction.set_rollback(True)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_system_that_does_not_answer_is_tried_again_later_then_given_up_then_switched_off(
    world, receiver, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER = 5
    receiver.status = 503
    district_key = token_for(role=Role.COORDINATOR, district=world["district"])[1]
    _register(district_key, receiver.url)
    worker = actor_for(world["worker"])
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_submit(
            actor=worker,
            request=f.MediationRequestFactory(office=world["office"], status="draft", requester=world["worker"]),
        )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 503")
    assert delivery.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert webhooks.webhook_retry_due() == 0  # not yet due
    clock.shift(dt.timedelta(seconds=31))
    assert webhooks.webhook_retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, NOW + dt.timedelta(seconds=31 + 60))
    clock.shift(dt.timedelta(seconds=61))
    webhooks.webhook_retry_due()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert len(receiver.received) == 3

    # Two more events, each failing: the fifth failed attempt in a row switches the webhook off.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            request_services.request_submit(
                actor=worker,
                request=f.MediationRequestFactory(office=world["office"], status="draft", requester=world["worker"]),
            )
    hook = Webhook.objects.get()
    assert hook.disabled_at == timezone.now() and hook.failures_in_a_row == 5
    assert not ApiClient(district_key).get(reverse("api:webhook", args=[hook.pk])).json()["active"]
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_submit(
            actor=worker,
            request=f.MediationRequestFactory(office=world["office"], status="draft", requester=world["worker"]),
        )
    assert len(receiver.received) == 5  # a switched-off webhook is told nothing more


def test_an_answer_after_failures_resets_the_count(world, receiver, clock, django_capture_on_commit_callbacks):
    district_key = token_for(role=Role.COORDINATOR, district=world["district"])[1]
    _register(district_key, receiver.url)
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_submit(
            actor=actor_for(world["worker"]),
            request=f.MediationRequestFactory(office=world["office"], status="draft", requester=world["worker"]),
        )
    assert Webhook.objects.get().failures_in_a_row == 1
    receiver.status = 204
    clock.shift(dt.timedelta(minutes=1))
    webhooks.webhook_retry_due()
    assert Webhook.objects.get().failures_in_a_row == 0
    assert WebhookDelivery.objects.get().state == "delivered"


@pytest.mark.parametrize(
    "url",
    ["http://cartella.example.it/hooks", "https://10.1.2.3/hooks", "https://localhost/hooks", "https://user:pw@x.it/",
     "ftp://x.it/", "cartella.example.it", "https://[::1]/hooks", "https://169.254.169.254/latest/meta-data"],
)  # fmt: skip
def test_only_public_https_addresses_are_accepted(world, url):
    key = token_for(role=Role.SOCIAL_WORKER, office=world["office"])[1]
    response = ApiClient(key, language="en").post(reverse("api:webhooks"), {"url": url})
    assert response.status_code == 400 and "url" in response.json()["fields"]
    assert not Webhook.objects.exists()


def test_a_webhook_is_registered_with_a_token_never_with_a_person_s_session(world):
    from .conftest import login_client

    response = login_client(world["worker"]).post(
        reverse("api:webhooks"), {"url": "https://cartella.example.it/hooks"}, content_type="application/json"
    )
    assert response.status_code == 403 and not Webhook.objects.exists()


def test_another_system_cannot_see_or_remove_a_webhook(world):
    key = token_for(role=Role.SOCIAL_WORKER, office=world["office"])[1]
    other = token_for(role=Role.SOCIAL_WORKER, office=world["other_office"])[1]
    hook = _register(key, "https://cartella.example.it/hooks")
    assert ApiClient(other).get(reverse("api:webhook", args=[hook["id"]])).status_code == 404
    assert (
        ApiClient(other)
        .client.delete(reverse("api:webhook", args=[hook["id"]]), **ApiClient(other).headers)
        .status_code
        == 404
    )
    assert ApiClient(other).get(reverse("api:webhook_deliveries", args=[hook["id"]])).status_code == 404
    removed = ApiClient(key).client.delete(reverse("api:webhook", args=[hook["id"]]), **ApiClient(key).headers)
    assert removed.status_code == 204 and not Webhook.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_deliveries_list_runs_the_same_queries_for_3_and_30_rows(world, rows, django_assert_num_queries):
    key = token_for(role=Role.SOCIAL_WORKER, office=world["office"])[1]
    hook = Webhook.objects.get(pk=_register(key, "https://cartella.example.it/hooks")["id"])
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=hook, event="request.status_changed", payload={"data": {"request": n}})
        for n in range(rows)
    )
    client = ApiClient(key)
    client.get(reverse("api:webhooks"))
    # The token with its account, the webhook, the page of deliveries.
    with django_assert_num_queries(3):
        response = client.get(reverse("api:webhook_deliveries", args=[hook.pk]))
    assert len(response.json()["results"]) == rows


HOSTILE_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.text(max_size=60),
        st.sampled_from(
            [
                "https://cartella.example.it/hooks",
                "https://user:pw@cartella.example.it/",
                "https://[::1]/",
                "https://10.0.0.1/x",
                "http://cartella.example.it/",
                "https://cartella.example.it/\x00",
                "https://" + "a" * 300 + ".it/",
                "request.status_changed",
                "appointment.planned",
                "javascript:alert(1)",
            ]
        ),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
HOSTILE_BODIES = st.one_of(
    st.dictionaries(st.sampled_from(["url", "events", "active", "secret", "id"]), HOSTILE_VALUES, max_size=4),
    HOSTILE_VALUES,
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=HOSTILE_BODIES)
def test_hostile_bodies_registering_a_webhook_never_make_a_500_nor_half_a_webhook(world, body):
    key = token_for(role=Role.SOCIAL_WORKER, office=world["office"])[1]
    response = ApiClient(key).post(reverse("api:webhooks"), json.dumps(body, default=str))
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert not Webhook.objects.exists()
        assert set(response.json()) <= {"code", "message", "fields"}
    else:
        made = Webhook.objects.get()
        assert made.url.startswith("https://") and response.json()["secret"]
    Webhook.objects.all().delete()
