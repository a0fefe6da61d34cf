"""Retention: closed and cancelled requests older than RETENTION_YEARS lose their free text and case code, keep their
counts, and past reports add up the same before and after. The job is idempotent and has a dry run."""

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.utils import timezone

from audit.models import ReadEvent
from privacy import services as privacy_services
from privacy.models import Anonymisation
from privacy.tasks import anonymise_expired_task
from requests_app.models import Comment, MediationRequest, RequestCountry, StatusChange
from scheduling.models import Appointment, Offer
from sessions_app.models import Evaluation, EvaluationCriterion, EvaluationScore, SessionReport

from . import factories as f
from . import report_factories as rf
from .conftest import login_client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FAMILY_TEXT = "Famiglia Rossi, via Roma 3: il padre è in carcere"


def finished(*, status="closed", years_ago=6, sessions=2):
    """A request of a district, done by a mediator (sessions held and reported, validated, evaluated on both sides),
    that was closed or cancelled ``years_ago`` years ago, with free text everywhere a person can type."""
    world = rf.make_world(sessions=sessions, status="scheduled", expected_sessions=sessions)
    request = world.request
    MediationRequest.objects.filter(pk=request.pk).update(
        goal=FAMILY_TEXT, sensitive_notes=FAMILY_TEXT, adults=2, minors=3
    )
    RequestCountry.objects.create(request=request, code="MA")
    for appointment in world.appointments:
        rf.validated(world, appointment)
    Appointment.objects.filter(request=request).update(status="held")
    cancelled = rf.past_appointment(request, days_ago=20, status="cancelled", cancel_reason=FAMILY_TEXT)
    Offer.objects.create(
        request=request,
        mediator=f.MediatorFactory(provider=world.mediator.provider, districts=[world.district]),
        status=Offer.Status.DECLINED,
        release_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(days=29),
        answered_at=timezone.now() - timedelta(days=29),
        decline_reason=FAMILY_TEXT,
        created_by=world.coordinator,
    )
    Comment.objects.create(request=request, author=world.social_worker, body=FAMILY_TEXT)
    evaluation = Evaluation.objects.create(
        request=request, side="requester", mediator=world.mediator, by=world.social_worker, comment=FAMILY_TEXT
    )
    for criterion in EvaluationCriterion.objects.filter(province=world.province):
        EvaluationScore.objects.create(evaluation=evaluation, criterion=criterion, score=4, comment=FAMILY_TEXT)
    change = StatusChange.objects.create(
        request=request, from_status="evaluated", to_status=status, by=world.coordinator, reason=FAMILY_TEXT
    )
    when = timezone.now() - timedelta(days=365 * years_ago + 2)
    StatusChange.objects.filter(pk=change.pk).update(at=when)
    MediationRequest.objects.filter(pk=request.pk).update(status=status)
    world.request.refresh_from_db()
    world.cancelled = cancelled
    return world


def totals() -> dict:
    """What past reports add up: requests by district and language, households, countries, appointments by status,
    hours of held appointments and of reported sessions, travel and expenses, evaluation scores."""
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    reported = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    return {
        "by_district_and_language": sorted(
            MediationRequest.objects.values_list("office__district__name", "languages__code", "languages__variant")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        ),
        "by_status": sorted(MediationRequest.objects.values_list("status").annotate(n=Count("pk")).order_by()),
        "households": MediationRequest.objects.aggregate(adults=Sum("adults"), minors=Sum("minors")),
        "countries": sorted(RequestCountry.objects.values_list("code", flat=True)),
        "appointments": sorted(Appointment.objects.values_list("status").annotate(n=Count("pk")).order_by()),
        "held_hours": Appointment.objects.filter(status="held").aggregate(t=Sum(duration))["t"],
        "reported": SessionReport.objects.aggregate(
            t=Sum(reported), km=Sum("travel_km"), euro=Sum("expenses"), adults=Sum("adults_present")
        ),
        "scores": EvaluationScore.objects.aggregate(total=Sum("score"), n=Count("pk")),
        "offers": sorted(Offer.objects.values_list("status").annotate(n=Count("pk")).order_by()),
    }


def free_text(world) -> list[str]:
    request = MediationRequest.objects.get(pk=world.request.pk)
    return [
        request.goal,
        request.sensitive_notes,
        request.place,
        *Comment.objects.filter(request=request).values_list("body", flat=True),
        *StatusChange.objects.filter(request=request).values_list("reason", flat=True),
        *Offer.objects.filter(request=request).values_list("decline_reason", flat=True),
        *Appointment.objects.filter(request=request).values_list("place", flat=True),
        *Appointment.objects.filter(request=request).values_list("cancel_reason", flat=True),
        *SessionReport.objects.filter(appointment__request=request).values_list("sensitive_notes", flat=True),
        *SessionReport.objects.filter(appointment__request=request).values_list("expenses_note", flat=True),
        *Evaluation.objects.filter(request=request).values_list("comment", flat=True),
        *EvaluationScore.objects.filter(evaluation__request=request).values_list("comment", flat=True),
    ]


def run(*args) -> str:
    out = StringIO()
    call_command("anonymise_expired", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_names_the_expired_requests_and_changes_nothing():
    world = finished()
    before_text, before_totals = free_text(world), totals()

    output = run("--dry-run")

    assert f"ids {world.request.pk}." in output
    assert "nothing was changed" in output
    assert free_text(world) == before_text
    assert totals() == before_totals
    assert MediationRequest.objects.get(pk=world.request.pk).case_code == world.request.case_code
    assert not Anonymisation.objects.exists()


def test_the_run_erases_every_free_text_and_replaces_the_case_code():
    world = finished()
    assert FAMILY_TEXT in free_text(world)

    output = run()

    assert "1 request(s)" in output
    assert set(free_text(world)) == {""}
    request = MediationRequest.objects.get(pk=world.request.pk)
    assert request.case_code == f"ANON-{request.pk}"
    assert Anonymisation.objects.get(request=request).at <= timezone.now()


def test_the_totals_of_past_reports_are_the_same_before_and_after():
    finished()
    finished(status="cancelled", years_ago=7, sessions=1)
    f.MediationRequestFactory(status="submitted", adults=4, languages=["fra"])
    before = totals()
    assert before["held_hours"] == timedelta(hours=3)
    assert before["reported"]["km"] == Decimal("37.5")

    assert len(privacy_services.requests_anonymise_expired()) == 2

    assert totals() == before


def test_a_cancelled_request_is_anonymised_too():
    world = finished(status="cancelled")

    assert privacy_services.requests_anonymise_expired() == [world.request.pk]


def test_a_second_run_finds_nothing_to_do():
    world = finished()
    run()
    after_first = MediationRequest.objects.filter(pk=world.request.pk).values().get()

    assert "0 request(s)" in run()
    assert privacy_services.requests_anonymise_expired() == []
    assert privacy_services.request_anonymise(request_id=world.request.pk) is False
    assert MediationRequest.objects.filter(pk=world.request.pk).values().get() == after_first
    assert Anonymisation.objects.count() == 1


def test_requests_younger_than_the_period_are_untouched():
    young = finished(years_ago=4)
    before = free_text(young)

    assert privacy_services.requests_anonymise_expired() == []

    assert free_text(young) == before
    assert not Anonymisation.objects.exists()


def test_open_requests_are_never_anonymised_however_old():
    world = finished()
    MediationRequest.objects.filter(pk=world.request.pk).update(status="evaluated")

    assert privacy_services.requests_anonymise_expired() == []


def test_the_period_is_the_setting(settings):
    young = finished(years_ago=2)
    settings.RETENTION_YEARS = 1

    assert privacy_services.requests_anonymise_expired() == [young.request.pk]


def test_the_read_audit_of_an_anonymised_request_stays_as_it_was():
    world = finished()
    login_client(world.coordinator).get(world.request.get_absolute_url())
    before = list(ReadEvent.objects.values())

    run()

    assert list(ReadEvent.objects.values()) == before
    assert before[0]["object_id"] == world.request.pk


def test_the_request_page_still_opens_after_anonymisation():
    world = finished()
    run()

    response = login_client(world.coordinator).get(world.request.get_absolute_url())

    assert response.status_code == 200
    assert f"ANON-{world.request.pk}" in response.content.decode()
    assert "carcere" not in response.content.decode()


def test_the_nightly_task_runs_the_same_job():
    finished()

    assert django_settings.CELERY_BEAT_SCHEDULE["anonymise-expired-requests"]["task"] == (
        "privacy.tasks.anonymise_expired_task"
    )
    assert anonymise_expired_task.delay().get() == 1
    assert anonymise_expired_task.delay().get() == 0


def test_the_default_period_is_five_years():
    assert django_settings.RETENTION_YEARS == 5


@pytest.mark.parametrize(("value", "message"), [("cinque", "is not a whole number"), ("0", "must be at least 1")])
def test_a_bad_retention_period_is_reported_in_words(tmp_path, value, message):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    clean.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}", "DEBUG": "1", "RETENTION_YEARS": value})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert f"RETENTION_YEARS={value!r}" in result.stderr or f"RETENTION_YEARS={value}" in result.stderr
    assert message in result.stderr


def test_the_reporting_indicators_are_the_same_before_and_after():
    from reporting import indicators

    world = finished()
    today = timezone.localdate()
    scope = indicators.Scope(province=world.province, date_from=today - timedelta(days=3650), date_to=today)
    before = indicators.compute(scope)
    assert (before["sessions"]["held"], before["reach"]["minors"]) == (2, 3)

    assert privacy_services.requests_anonymise_expired() == [world.request.pk]

    assert indicators.compute(scope) == before
