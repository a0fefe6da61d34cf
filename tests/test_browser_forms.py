"""Forms in a real browser: after a failed submit the focus is on the error summary, whose links lead to each field
to correct; "Add a language" moves the focus into the new row, not left on the button."""

import pytest
from playwright.sync_api import expect

from requests_app.models import MediationRequest

from .browser_support import assert_accessible, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def test_a_failed_submit_focuses_the_summary_whose_links_lead_to_the_fields(page, live_server, demo_users):
    log_in(page, live_server.url, "assistente.cremona@example.org")
    page.goto(f"{live_server.url}/richieste/nuova/")
    page.get_by_label("Codice caso").fill("RSSMRA85T10A562S")
    page.locator("label[for=id_urgency_1]").click()
    page.get_by_role("button", name="Invia la richiesta").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.locator('a[href="#id_case_code"]')).to_contain_text("codice fiscale")
    expect(summary.locator('a[href="#id_deadline"]')).to_contain_text("urgente")
    assert not MediationRequest.objects.exists()
    screenshot(page, "request-form-error-summary", full_page=False)
    assert_accessible(page, "the request form with its error summary")

    summary.locator('a[href="#id_deadline"]').click()
    expect(page.locator("#id_deadline")).to_be_focused()
    summary.locator('a[href="#id_case_code"]').click()
    expect(page.get_by_label("Codice caso")).to_be_focused()


def test_add_a_language_moves_the_focus_to_the_new_row(page, live_server, demo_users):
    log_in(page, live_server.url, "assistente.cremona@example.org")
    page.goto(f"{live_server.url}/richieste/nuova/")
    rows = page.locator('[data-formset-body="languages"] tr')
    before = rows.count()
    page.get_by_role("button", name="Aggiungi una lingua").click()
    expect(rows).to_have_count(before + 1)
    expect(page.locator(f"#id_languages-{before}-search")).to_be_focused()
