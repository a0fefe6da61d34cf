"""Province staff ask for the accountability PDF in a real browser, watch its progress (htmx polling) and download
it; the PNG of its first page is kept in test-artifacts/ beside the screenshots."""

import subprocess

import pytest
from playwright.sync_api import expect

from reporting import services
from reporting.models import ReportJob

from .browser_support import ARTIFACTS_DIR, assert_accessible, assert_static_files_loaded, log_in, screenshot
from .test_reporting_pages import cremona_reporting

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def test_province_staff_ask_for_the_pdf_watch_its_progress_and_download_it(page, live_server, demo_users, monkeypatch):
    objects = cremona_reporting({"users": demo_users})
    # The broker does not answer: the job waits for the background service until the test runs it, so that the
    # page's polling shows the change.
    monkeypatch.setattr(services, "report_job_dispatch", lambda job_id, countdown=0: False)

    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}/rendicontazione/?dal=2025-01-01&al=2025-12-31&progetto={objects['project'].pk}")
    expect(page.get_by_test_id("key-figures")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    assert_accessible(page, "the reporting dashboard")
    assert_static_files_loaded(page)
    screenshot(page, "reporting-dashboard")

    form = page.get_by_test_id("job-form")
    form.locator("select[name=formato]").select_option("pdf")
    with page.expect_navigation():
        form.get_by_test_id("job-submit").click()
    job = ReportJob.objects.get(format="pdf")
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "queued")
    expect(status).to_have_attribute("data-state", "waiting_service")
    expect(status).to_contain_text("In attesa del servizio in background")
    assert_accessible(page, "a report waiting for the background service")
    screenshot(page, "reporting-job-waiting-service")

    # A worker picks it up: the page, polling every 2 s, shows the download without being reloaded.
    assert services.report_job_run(job_id=job.pk) is True
    expect(status).to_have_attribute("data-status", "done", timeout=10_000)
    assert_accessible(page, "a finished report")
    screenshot(page, "reporting-job-done")

    with page.expect_download() as info:
        page.get_by_test_id("download").click()
    download = info.value
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    pdf = ARTIFACTS_DIR / "reporting-report.pdf"
    download.save_as(pdf)
    assert download.suggested_filename.endswith(".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Famiglie in-migrazione" in text and "ASL Cremona" in text and "MATRICE" not in text
    # The first page as a PNG, for a person to look at.
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS_DIR / "reporting-pdf-page-1"),
        ],
        check=True,
    )
    assert (ARTIFACTS_DIR / "reporting-pdf-page-1.png").stat().st_size > 5000


def test_the_funder_reads_aggregates_with_small_counts_hidden(page, live_server, demo_users):
    from django.utils import timezone

    from accounts.models import Office
    from reporting.models import ProjectCharge

    from . import factories as f

    objects = cremona_reporting({"users": demo_users})
    office = Office.objects.get(district__name="Cremona", kind="child_protection")
    for n in range(2):
        request = f.MediationRequestFactory(
            office=office, case_code=f"ASL-{n}", status="submitted", requester=demo_users["assistente.cremona"]
        )
        ProjectCharge.objects.create(request=request, project=objects["project"], charged_by=demo_users["admin"])
    services.aggregates_rebuild()  # the rows above were written behind the services' backs
    year = timezone.localdate().year

    log_in(page, live_server.url, "asl.cremona@example.org")
    page.goto(f"{live_server.url}/rendicontazione/?dal={year}-01-01&al={year}-12-31")
    figures = page.get_by_test_id("key-figures")
    expect(figures).to_contain_text("< 3")
    expect(page.get_by_test_id("table-by-district")).to_contain_text("< 3")
    expect(page.locator("body")).not_to_contain_text("ASL-0")
    assert_accessible(page, "the funder's dashboard")
    assert_static_files_loaded(page)
    screenshot(page, "reporting-dashboard-funder")


def test_a_failed_report_says_why_and_is_prepared_again_with_one_click(page, live_server, demo_users):
    objects = cremona_reporting({"users": demo_users})
    failed = objects["report_job"]
    ReportJob.objects.filter(pk=failed.pk).update(
        status="failed",
        attempts=3,
        file="",
        error="Non è stato possibile preparare il report: il servizio in background si è interrotto 3 volte.",
    )
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}{failed.get_absolute_url()}")
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "failed")
    expect(page.get_by_test_id("job-error")).to_contain_text("interrotto 3 volte")
    assert_accessible(page, "a failed report")
    screenshot(page, "reporting-job-failed")
    with page.expect_navigation():
        page.get_by_test_id("repeat").click()
    again = ReportJob.objects.exclude(pk=failed.pk).get()
    assert page.url.endswith(again.get_absolute_url())
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "done")


def test_the_dashboard_fits_a_phone_its_charts_shrink_and_its_tables_scroll(mobile_page, live_server, demo_users):
    objects = cremona_reporting({"users": demo_users})

    log_in(mobile_page, live_server.url, "provincia.cremona@example.org")
    mobile_page.goto(
        f"{live_server.url}/rendicontazione/?dal=2025-01-01&al=2025-12-31&progetto={objects['project'].pk}"
    )
    expect(mobile_page.locator("svg.chart").first).to_be_visible()
    # The page never scrolls sideways at 390 px: a chart drawn 550 px wide used to push the whole page to 562 px.
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 390
    chart = mobile_page.locator("svg.chart").first.bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= 390
    screenshot(mobile_page, "reporting-dashboard-phone")


def test_a_project_page_shows_the_budget_at_once_and_loads_the_seminar_section_after_it(page, live_server, demo_users):
    objects = cremona_reporting({"users": demo_users})
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}{objects['project'].get_absolute_url()}")
    expect(page.get_by_test_id("budget")).to_be_visible()
    section = page.get_by_test_id("section-seminario")
    # htmx swaps the placeholder for the section's tables (none in this period): no "loading" left.
    expect(section.locator("#seminar-roles")).to_be_visible(timeout=10_000)
    expect(section).not_to_contain_text("Caricamento")
    expect(section).not_to_have_attribute("aria-busy", "true")
    assert_accessible(page, "a funded project with its seminar section")
    screenshot(page, "reporting-project-sections")
