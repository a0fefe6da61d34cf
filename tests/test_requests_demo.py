"""The demo requests of `manage.py demo_data`: many, in every status, consistent with their history, idempotent."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.scoping import visible
from requests_app import demo as requests_demo
from requests_app.models import (
    OPEN_STATUSES,
    Comment,
    MediationRequest,
    ProposedSlot,
    RequestCountry,
    RequestLanguage,
    Status,
    StatusChange,
    Urgency,
)
from requests_app.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_requests(demo_world):
    return requests_demo.build()


def snapshot():
    """Every demo request with all its rows, as plain values (ids included)."""
    return {
        name: list(model.objects.order_by("pk").values())
        for name, model in {
            "requests": MediationRequest,
            "languages": RequestLanguage,
            "countries": RequestCountry,
            "slots": ProposedSlot,
            "history": StatusChange,
            "comments": Comment,
        }.items()
    }


def test_there_are_at_least_60_requests_in_both_provinces_over_two_years(demo_requests):
    assert MediationRequest.objects.count() >= 60
    provinces = set(MediationRequest.objects.values_list("office__district__province__slug", flat=True))
    assert provinces == {"cremona", "bergamo"}
    districts = set(MediationRequest.objects.values_list("office__district__name", flat=True))
    assert {"Cremona", "Crema", "Bergamo"} <= districts
    now = timezone.now()
    oldest = MediationRequest.objects.order_by("created_at").first().created_at
    assert now - timedelta(days=731) < oldest < now - timedelta(days=365)
    assert not MediationRequest.objects.filter(created_at__gt=now).exists()


def test_every_status_has_demo_requests(demo_requests):
    statuses = set(MediationRequest.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)


def test_assistente_cremona_has_filed_several_with_one_submitted_and_one_draft(demo_requests):
    requester = User.objects.get(email="assistente.cremona@example.org")
    mine = MediationRequest.objects.filter(requester=requester)
    assert mine.count() >= 5
    assert mine.filter(status=Status.SUBMITTED).exists()
    assert mine.filter(status=Status.DRAFT).exists()
    # Every request of an office was filed by that office's social worker, and that worker sees them all.
    assert set(visible(requester, MediationRequest)) == set(mine)
    for email in ("assistente.crema@example.org", "assistente.bergamo@example.org"):
        assert MediationRequest.objects.filter(requester__email=email).count() >= 10


def test_the_coordinator_sees_the_submitted_request_of_assistente_cremona(demo_requests):
    coordinator = User.objects.get(email="coordinatore.cremona@example.org")
    submitted = MediationRequest.objects.filter(requester__email="assistente.cremona@example.org", status="submitted")
    assert set(submitted) <= set(visible(coordinator, MediationRequest))


def test_every_demo_row_passes_the_model_validation(demo_requests):
    for request in MediationRequest.objects.prefetch_related("languages", "countries", "slots"):
        request.full_clean()
        assert request.languages.exists(), request
        assert request.slots.exists(), request
        for related in ("languages", "countries", "slots"):
            for row in getattr(request, related).all():
                row.full_clean()


def test_the_languages_include_variants(demo_requests):
    codes = set(RequestLanguage.objects.values_list("code", flat=True))
    assert {"ara", "zho", "urd", "ukr", "sqi", "ron", "tir"} <= codes
    assert RequestLanguage.objects.filter(code="ara", variant="Darija marocchina").exists()
    assert RequestLanguage.objects.filter(code="zho", variant__icontains="wenzhou").exists()


def test_the_history_of_each_request_leads_to_its_status(demo_requests):
    """Each step starts where the last one ended, in time order; who acted fits the step (the office submits and
    evaluates, the coordinator decides); a rejection or cancellation says why."""
    for request in MediationRequest.objects.select_related("office").prefetch_related("history__by"):
        steps = list(request.history.all())
        status = "draft"
        when = request.created_at
        for step in steps:
            assert step.from_status == status, (request, step)
            assert step.at >= when, (request, step)
            if step.to_status in {"submitted", "evaluated"}:
                assert step.by == request.requester, (request, step)
            elif step.to_status != "cancelled":
                assert step.by.memberships.filter(district=request.office.district).exists(), (request, step)
            known = {t.target: t for t in TRANSITIONS.values()}
            if step.to_status in known and known[step.to_status].needs_reason:
                assert step.reason, (request, step)
            status, when = step.to_status, step.at
        assert status == request.status, request
        assert (request.submitted_at is None) == (not any(s.to_status == "submitted" for s in steps)), request
        assert step.at <= timezone.now() if steps else True


def test_urgent_open_requests_have_a_deadline_ahead(demo_requests):
    urgent = MediationRequest.objects.filter(urgency=Urgency.URGENT)
    assert urgent.filter(status=Status.SUBMITTED).exists() or urgent.filter(status__in=OPEN_STATUSES).exists()
    for request in urgent.filter(status__in=OPEN_STATUSES):
        assert request.deadline >= timezone.localdate(), request


def test_there_are_comments_and_a_request_made_again(demo_requests):
    assert Comment.objects.count() >= 3
    for comment in Comment.objects.select_related("request"):
        assert comment.request.status != Status.DRAFT
    assert MediationRequest.objects.exclude(copied_from=None).exists()


def test_no_demo_text_looks_like_an_identity(demo_requests):
    from requests_app.models import validate_case_code

    for request in MediationRequest.objects.all():
        validate_case_code(request.case_code)
        for text in (request.goal, request.sensitive_notes, request.place):
            assert "@" not in text
            assert not any(ch.isdigit() for ch in text), text


def test_building_the_requests_twice_gives_the_same_rows(demo_requests):
    first = snapshot()
    assert len(first["requests"]) >= 60
    requests_demo.build()
    assert snapshot() == first


def test_demo_data_twice_gives_the_same_requests(settings):
    settings.DEBUG = True
    call_command("demo_data")
    first = snapshot()
    assert len(first["requests"]) >= 60
    call_command("demo_data")
    assert snapshot() == first
    assert User.objects.count() == 13


def test_a_later_run_moves_the_dates_without_piling_rows_up(demo_requests, monkeypatch):
    counts = {name: len(rows) for name, rows in snapshot().items()}
    later = timezone.localdate() + timedelta(days=40)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    requests_demo.build()
    assert {name: len(rows) for name, rows in snapshot().items()} == counts
