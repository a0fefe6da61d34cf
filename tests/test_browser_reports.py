"""A session from report to evaluation in a real browser (issue #7): the mediator logs the session of the demo's
request of assistente.cremona, the social worker confirms it, the coordinator validates it (the request is then
completed) and the social worker evaluates the mediation; the coordinator reads the mediators' averages."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from mediators import demo as mediators_demo
from requests_app.models import MediationRequest
from scheduling import demo as requests_demo
from scheduling.models import Appointment
from sessions_app import demo as demo_reports
from sessions_app.models import Evaluation, EvaluationCriterion, SessionReport

from .browser_support import assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

NOTE = "La madre chiede che il prossimo incontro sia al mattino."


def _log_out(page):
    page.get_by_role("button", name="Esci").first.click()
    expect(page.locator("main input[name=login]")).to_be_visible()


def _session_to_report(users) -> Appointment:
    """mediatore.cremona's session still to report on a request of assistente.cremona; the request's later
    appointments are dropped and one session is expected, so that validating this report completes it."""
    appointment = (
        Appointment.objects.filter(
            mediator__user=users["mediatore.cremona"],
            request__requester=users["assistente.cremona"],
            request__status="scheduled",
            status="held",
            report__isnull=True,
            starts_at__lt=timezone.now(),
        )
        .select_related("request")
        .order_by("starts_at")
        .first()
    )
    assert appointment is not None, "the demo should leave mediatore.cremona a session to report"
    request = appointment.request
    # The demo gives the request other sessions too (held last week, planned this week and next): they are set
    # aside, cancelled in time with no report, so that this session is the one the request waits for.
    others = request.appointments.exclude(pk=appointment.pk)
    SessionReport.objects.filter(appointment__in=others).delete()
    others.exclude(status="cancelled").update(
        status="cancelled", cancel_reason="Non più necessario", cancelled_at=timezone.now()
    )
    MediationRequest.objects.filter(pk=request.pk).update(expected_sessions=1)
    assert not request.appointments.exclude(pk=appointment.pk).filter(status__in=["held", "no_show"]).exists()
    return appointment


def _open_from_menu(page, url_name: str) -> None:
    page.locator(f"#main-nav a[href='{reverse(url_name)}'], nav a[href='{reverse(url_name)}']").first.click()


def test_the_mediator_logs_a_session_the_office_confirms_and_evaluates_the_coordinator_validates(
    page, live_server, demo_users
):
    mediators_demo.build()
    requests_demo.build()
    demo_reports.build()
    appointment = _session_to_report(demo_users)
    code = appointment.request.case_code

    # The mediator: "Resoconti" in the menu, the session in "to write", the form filled in, submitted.
    log_in(page, live_server.url, "mediatore.cremona@example.org")
    _open_from_menu(page, "sessions:reports")
    row = page.get_by_test_id("to-write-row").filter(has_text=code)
    expect(row).to_have_count(1)
    screenshot(page, "reports-mediator-list")
    assert_accessible(page, "the mediator's reports page")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("report-form")).to_be_visible()
    page.locator("#id_adults_present").fill("2")
    page.locator("#id_minors_present").fill("1")
    in_person = appointment.mode == "in_person"
    if in_person:
        page.locator("#id_travel_km").fill("14,5")
        page.locator("#id_travel_minutes").fill("25")
    page.locator("#id_expenses").fill("2,50")
    page.locator("#id_expenses_note").fill("Biglietto del bus" if in_person else "Ricarica dati per la videochiamata")
    page.locator("#id_sensitive_notes").fill(NOTE)
    screenshot(page, "report-form-filled")
    assert_accessible(page, "the report form")
    assert_static_files_loaded(page)
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("report-fields")).to_contain_text("2,50")
    report = SessionReport.objects.get(appointment=appointment)
    km = Decimal("14.5") if in_person else Decimal("0")
    assert (report.status, report.travel_km, report.expenses) == ("submitted", km, Decimal("2.50"))
    assert Appointment.objects.get(pk=appointment.pk).status == "held"
    expect(page.get_by_test_id("report-notes")).to_contain_text(NOTE)
    screenshot(page, "report-submitted")
    assert_accessible(page, "the submitted report")
    _log_out(page)

    # The social worker: the report waits for her confirmation; one click.
    log_in(page, live_server.url, "assistente.cremona@example.org")
    _open_from_menu(page, "sessions:reports")
    page.get_by_test_id("to-confirm").get_by_role("row").filter(has_text=code).get_by_role("link").click()
    expect(page.get_by_test_id("report-notes")).to_contain_text(NOTE)
    page.get_by_test_id("report-confirm").click()
    expect(page.get_by_test_id("report-confirmed")).to_be_visible()
    report.refresh_from_db()
    assert (report.status, report.confirmed_by) == ("confirmed", demo_users["assistente.cremona"])
    _log_out(page)

    # The coordinator: validates it (the notes are not hers to read); the request is completed.
    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    _open_from_menu(page, "sessions:reports")
    page.get_by_test_id("to-validate").get_by_role("row").filter(has_text=code).get_by_role("link").click()
    expect(page.get_by_test_id("report-notes")).to_have_count(0)
    screenshot(page, "report-to-validate")
    assert_accessible(page, "the report to validate")
    page.get_by_test_id("report-validate").click()
    expect(page.get_by_test_id("report-validated")).to_be_visible()
    with translation.override("it"):
        expect(page.get_by_test_id("report-status")).to_have_text(str(SessionReport.Status.VALIDATED.label))
    report.refresh_from_db()
    assert report.status == "validated" and report.locked
    assert MediationRequest.objects.get(pk=appointment.request_id).status == "completed"
    screenshot(page, "report-validated")
    _log_out(page)

    # The social worker evaluates the mediation on the province's five criteria.
    log_in(page, live_server.url, "assistente.cremona@example.org")
    _open_from_menu(page, "sessions:reports")
    page.get_by_test_id("to-evaluate").get_by_role("link").filter(has_text=code).click()
    criteria = list(EvaluationCriterion.objects.filter(province__slug="cremona").order_by("order"))
    # The form with a score missing says which one, and keeps what was chosen.
    for criterion, score in zip(criteria[:4], [5, 4, 4, 5], strict=True):
        # Bootstrap Italia draws the radio over its label: a person clicks the label.
        page.locator(f"label[for=score_{criterion.pk}_{score}]").click()
    page.get_by_test_id("evaluation-save").click()
    expect(page.get_by_test_id("evaluation-error")).to_contain_text(criteria[4].label_it)
    expect(page.locator(f"#score_{criteria[0].pk}_5")).to_be_checked()
    assert not Evaluation.objects.filter(request=appointment.request).exists()
    assert_accessible(page, "the evaluation form with its error")
    page.locator(f"label[for=score_{criteria[4].pk}_3]").click()
    page.locator("#evaluation-comment").fill("La famiglia ha capito il progetto.")
    screenshot(page, "evaluation-form")
    page.get_by_test_id("evaluation-save").click()
    expect(page.get_by_test_id("evaluation-requester")).to_be_visible()
    evaluation = Evaluation.objects.get(request=appointment.request, side="requester")
    assert sorted(evaluation.scores.values_list("score", flat=True)) == [3, 4, 4, 5, 5]
    assert MediationRequest.objects.get(pk=appointment.request_id).status == "evaluated"
    _log_out(page)

    # The coordinator reads the mediators' averages.
    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    _open_from_menu(page, "sessions:reports")
    page.get_by_test_id("averages-link").click()
    expect(page.get_by_test_id("averages-row").first).to_be_visible()
    screenshot(page, "evaluation-averages")
    assert_accessible(page, "the mediators' averages")
