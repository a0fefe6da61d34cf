"""The demo's session reports and evaluations: enough of them, in every step, consistent with the appointments and
the requests' history, and work waiting for each demo role."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse

from accounts import demo as accounts_demo
from mediators import demo as mediators_demo
from scheduling import demo as requests_demo
from scheduling.models import Appointment
from sessions_app import demo as demo_reports
from sessions_app.models import Evaluation, EvaluationCriterion, SessionReport
from sessions_app.services import APPOINTMENT_STATUS

from .conftest import login_client, shared_world

pytestmark = pytest.mark.django_db

OWES = Q(status__in=["held", "no_show"]) | Q(status="cancelled", late_cancellation=True)


@pytest.fixture(scope="module")
def _reports_world(django_db_setup, django_db_blocker):
    """The demo's session reports and what they stand on, built once for the module (conftest.shared_world)."""
    with shared_world(django_db_blocker):
        users = accounts_demo.build()["users"]
        mediators_demo.build()
        requests_demo.build()
        demo_reports.build()
        yield users


@pytest.fixture
def demo(_reports_world, db):
    """Each test reads the module's demo through its own transaction, rolled back after it."""
    return _reports_world


def test_there_are_reports_in_every_step_and_evaluations(demo):
    reports = SessionReport.objects.all()
    assert reports.count() >= 20
    assert reports.filter(status="validated").count() >= 10
    assert {"submitted", "confirmed", "sent_back", "draft"} <= set(reports.values_list("status", flat=True))
    assert set(reports.values_list("outcome", flat=True)) >= {"held", "partly", "family_absent", "cancelled_late"}
    assert Evaluation.objects.count() >= 5
    assert set(Evaluation.objects.values_list("side", flat=True)) == {"requester", "mediator"}
    assert EvaluationCriterion.objects.filter(province__slug="bergamo").count() == 5


def test_mediatore_cremona_reported_sessions_for_assistente_cremona(demo):
    theirs = SessionReport.objects.filter(
        appointment__mediator__user=demo["mediatore.cremona"],
        appointment__request__requester=demo["assistente.cremona"],
    )
    assert theirs.filter(status="validated").count() >= 3
    assert theirs.filter(status="submitted").exists()
    assert Evaluation.objects.filter(
        request__requester=demo["assistente.cremona"], mediator__user=demo["mediatore.cremona"]
    ).exists()


def test_reports_agree_with_their_appointments_and_requests(demo):
    for report in SessionReport.objects.select_related("appointment__request"):
        appointment, request = report.appointment, report.appointment.request
        assert appointment.status == APPOINTMENT_STATUS[report.outcome], report
        assert report.ended_at > report.started_at
        assert abs(report.started_at - appointment.starts_at) < timedelta(hours=1)
        if report.status != "draft":
            assert appointment.ends_at <= report.submitted_at, report
        if report.confirmed_at:
            assert report.submitted_at <= report.confirmed_at and report.confirmed_by == request.requester
        if report.status == "validated":
            assert report.confirmed_at <= report.validated_at
            assert report.validated_by.memberships.filter(district=request.office.district).exists()
        if report.mode != "in_person":
            assert report.travel_km == 0 and report.travel_minutes == 0
    for appointment in Appointment.objects.filter(OWES, request__status__in=["completed", "evaluated", "closed"]):
        report = SessionReport.objects.get(appointment=appointment)
        completed = appointment.request.history.get(to_status="completed").at
        assert report.status == "validated" and report.validated_at <= completed, appointment
    for evaluation in Evaluation.objects.filter(side="requester"):
        assert evaluation.request.status in ("evaluated", "closed")
        assert evaluation.by == evaluation.request.requester
        assert evaluation.scores.count() == 5
        assert all(1 <= s.score <= 5 for s in evaluation.scores.all())
    evaluated = Evaluation.objects.filter(side="requester").values_list("request", flat=True)
    for request in SessionReport.objects.values_list("appointment__request__status", "appointment__request"):
        if request[0] in ("evaluated", "closed"):
            assert request[1] in evaluated


def test_each_role_finds_work_on_the_reports_page(demo):
    lists = {
        who: login_client(demo[who]).get(reverse("sessions:reports")).context["lists"]
        for who in ["mediatore.cremona", "assistente.cremona", "coordinatore.cremona", "provincia.cremona"]
    }
    assert lists["mediatore.cremona"]["to_write"]
    assert lists["assistente.cremona"]["to_confirm"]
    assert lists["assistente.cremona"]["to_evaluate"]
    assert lists["coordinatore.cremona"]["to_validate"]
    assert lists["provincia.cremona"]["recent"]
