"""A social worker files an urgent request in a real browser (language search, a time slot added with htmx); the
district coordinator finds it at the top of the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mediators import demo as mediators_demo
from notifications.models import Notification
from requests_app.models import MediationRequest
from scheduling import demo as requests_demo

from .browser_support import assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

CASE_CODE = "TM-2026-901"


def test_a_social_worker_files_an_urgent_request_and_the_coordinator_finds_it_first(page, live_server, demo_users):
    mediators_demo.build()
    requests_demo.build()
    today = timezone.localdate()

    log_in(page, live_server.url, "assistente.cremona@example.org")
    page.get_by_role("link", name="Richieste", exact=True).first.click()
    page.get_by_role("link", name="Nuova richiesta").click()
    expect(page.locator("main h1")).to_have_text("Nuova richiesta di mediazione")

    page.get_by_label("Codice caso").fill(CASE_CODE)
    page.get_by_label("Tipo di intervento").select_option("cultural_mediation")
    page.get_by_label("Contesto").select_option("child_protection")
    # Bootstrap Italia draws the radio over its label: a person clicks the label.
    page.locator("label[for=id_urgency_1]").click()
    page.get_by_label("Serve entro il").fill(today.isoformat())

    # The language by its Italian name: the search fills the row's menu.
    page.get_by_label("Cerca una lingua per nome").first.fill("arabo")
    page.get_by_role("button", name="Arabo (ara)", exact=True).click()
    expect(page.locator("#id_languages-0-code")).to_have_value("ara")
    expect(page.locator("#languages-0-results")).to_contain_text("Arabo (ara)")
    expect(page.locator("#id_languages-0-variant")).to_be_focused()
    page.locator("#id_languages-0-variant").fill("Darija marocchina")

    page.get_by_label("Adulti nel nucleo familiare").fill("2")
    page.get_by_label("Minori nel nucleo familiare").fill("2")
    page.get_by_label("Paesi di origine").select_option(["MA"])
    page.get_by_label("Obiettivo della mediazione").fill(
        "Spiegare ai genitori il progetto di tutela prima dell'udienza."
    )

    # A second time slot, added in place by htmx: the new row has the next number and takes the focus.
    day = today + timedelta(days=7)
    rows = page.locator("#slot-rows tr")
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Aggiungi una fascia oraria").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#id_slots-1-date")).to_be_focused()
    expect(page.locator("#id_slots-TOTAL_FORMS")).to_have_value("2")
    for index, (start, end) in enumerate([("09:30", "11:00"), ("14:30", "16:00")]):
        page.locator(f"#id_slots-{index}-date").fill(day.isoformat())
        page.locator(f"#id_slots-{index}-start").fill(start)
        page.locator(f"#id_slots-{index}-end").fill(end)
    page.get_by_label("Note riservate").fill("La madre legge poco l'italiano: ripetere a voce le decisioni.")

    screenshot(page, "request-form-filled")
    assert_accessible(page, "the request form")
    assert_static_files_loaded(page)

    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.locator("main h1")).to_have_text(f"Richiesta {CASE_CODE}")
    expect(page.locator(".messages")).to_contain_text("inviata ai coordinatori")

    saved = MediationRequest.objects.get(case_code=CASE_CODE)
    assert (saved.status, saved.urgency, saved.deadline) == ("submitted", "urgent", today)
    assert [(x.code, x.variant) for x in saved.languages.all()] == [("ara", "Darija marocchina")]
    assert saved.slots.count() == 2
    assert Notification.objects.filter(request=saved, recipient__email="coordinatore.cremona@example.org").exists()

    page.goto(f"{live_server.url}/accounts/logout/")
    page.get_by_role("button", name="Esci").last.click()
    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    page.get_by_role("link", name="Richieste", exact=True).first.click()
    first = page.get_by_test_id("request-row").first
    expect(first).to_contain_text(CASE_CODE)
    expect(first).to_contain_text("Urgente")
    expect(first).to_contain_text("Arabo")
    assert page.get_by_test_id("request-row").count() > 5, "the queue should hold the demo requests too"
    screenshot(page, "request-queue-coordinator")
    assert_accessible(page, "the district queue")


def test_the_form_with_its_errors_is_accessible(page, live_server, demo_users):
    log_in(page, live_server.url, "assistente.cremona@example.org")
    page.goto(f"{live_server.url}/richieste/nuova/")
    page.get_by_label("Codice caso").fill("RSSMRA85T10A562S")
    page.locator("label[for=id_urgency_1]").click()
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.locator("#id_case_code-errors")).to_contain_text("codice fiscale")
    expect(page.locator("#id_deadline-errors")).to_contain_text("urgente")
    # What the person typed is still there.
    expect(page.get_by_label("Codice caso")).to_have_value("RSSMRA85T10A562S")
    assert not MediationRequest.objects.exists()
    screenshot(page, "request-form-errors")
    assert_accessible(page, "the request form with errors")
