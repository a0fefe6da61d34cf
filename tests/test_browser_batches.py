"""Batches in a real browser (issue #16): the coordinator of Cremona ticks every report to validate with "select
all" and validates them in one click, then reads the summary; the district's timesheets to approve have their
checkboxes. Desktop and phone (390×844), with screenshots and axe-core."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mediators import demo as mediators_demo
from scheduling import demo as requests_demo
from sessions_app import demo as demo_reports
from sessions_app.models import SessionReport
from timesheets import demo as demo_timesheets
from timesheets.models import Timesheet

from .browser_support import assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def _demo():
    mediators_demo.build()
    requests_demo.build()
    demo_reports.build()
    demo_timesheets.build()


def test_the_coordinator_validates_every_waiting_report_at_once_and_reads_the_summary(page, live_server, demo_users):
    _demo()
    coordinator = demo_users["coordinatore.cremona"]
    waiting = SessionReport.objects.filter(
        status__in=["submitted", "confirmed"],
        appointment__request__office__district__in=coordinator.memberships.values("district"),
    )
    count = waiting.count()
    assert count >= 1, "the demo should leave the coordinator of Cremona a report to validate"

    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    page.goto(live_server.url + reverse("sessions:reports"))
    boxes = page.locator("input[form='batch-validate']")
    expect(boxes).to_have_count(count)
    select_all = page.locator("#batch-validate-all")
    expect(select_all).to_be_visible()  # batch.js shows it
    select_all.check()
    for index in range(count):
        expect(boxes.nth(index)).to_be_checked()
    screenshot(page, "batches-reports-desktop")
    assert_accessible(page, "the reports to validate with their checkboxes")
    assert_static_files_loaded(page)

    page.get_by_role("button", name="Valida i resoconti selezionati").click()
    summary = page.locator(".messages .alert").first
    expect(summary).to_contain_text("validat")
    screenshot(page, "batches-reports-summary-desktop")
    assert not waiting.exists()


def test_the_batches_fit_a_phone(mobile_page, live_server, demo_users):
    page = mobile_page
    _demo()
    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    page.goto(live_server.url + reverse("sessions:reports"))
    expect(page.locator("#batch-validate-all")).to_be_visible()
    screenshot(page, "batches-reports-mobile")
    # Each card names the checkbox's column "Seleziona", not the header's select-all label with it.
    assert page.locator("td.batch-col").first.get_attribute("data-label") == "Seleziona"
    # Tick one report, leave the others: one validated, the summary says so.
    page.locator("input[form='batch-validate']").first.check()
    page.get_by_role("button", name="Valida i resoconti selezionati").click()
    expect(page.locator(".messages .alert").first).to_contain_text("1 resoconto validato")
    screenshot(page, "batches-reports-summary-mobile")

    # The demo's latest month of Cremona's district, every timesheet of it waiting for approval.
    districts = demo_users["coordinatore.cremona"].memberships.values("district")
    latest = Timesheet.objects.filter(district__in=districts).order_by("-month").first()
    assert latest is not None, "the demo should have timesheets in the district of Cremona"
    Timesheet.objects.filter(district__in=districts, month=latest.month).update(status="submitted")
    month = f"{latest.month:%Y-%m}"
    page.goto(live_server.url + reverse("timesheets:district") + f"?mese={month}")
    expect(page.locator("input[form='batch-approve']").first).to_be_visible()
    screenshot(page, "batches-timesheets-mobile")
    assert page.locator("td.batch-col").first.get_attribute("data-label") == "Seleziona"
    assert_accessible(page, "the district's timesheets with their checkboxes on a phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "batches-timesheets-desktop")
    page.locator("#batch-approve-all").check()
    page.get_by_role("button", name="Approva i fogli ore selezionati").click()
    expect(page.locator(".messages .alert").first).to_contain_text("approvat")
    screenshot(page, "batches-timesheets-summary-desktop")
