"""A coordinator finds Arabic-speaking mediators of the district in the roster, in a real browser."""

import pytest
from playwright.sync_api import expect

from accounts.models import District, User
from mediators import demo as mediators_demo
from mediators.selectors import mediators_speaking, roster, serving_district

from .browser_support import assert_accessible, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def test_coordinator_filters_the_roster_by_arabic_and_district(page, live_server, demo_users):
    mediators_demo.build()
    coordinator = User.objects.get(email="coordinatore.cremona@example.org")
    cremona = District.objects.get(name="Cremona")
    expected = [
        m.full_name
        for m in serving_district(mediators_speaking(roster(user=coordinator), code="ara"), cremona).order_by(
            "last_name", "first_name", "pk"
        )
    ]
    assert len(expected) >= 3, "the demo roster should offer several Arabic speakers in Cremona"

    log_in(page, live_server.url, coordinator.email)
    page.get_by_role("link", name="Mediatori", exact=True).click()
    expect(page.locator("main h1")).to_have_text("Mediatori")

    page.get_by_label("Lingua", exact=True).select_option("ara")
    page.get_by_label("Ambito", exact=True).select_option(str(cremona.pk))
    page.get_by_role("button", name="Cerca").click()

    rows = page.get_by_test_id("roster-row")
    expect(rows).to_have_count(len(expected))
    names = [row.locator("a").first.inner_text() for row in rows.all()]
    assert names == expected
    for row in rows.all():
        expect(row).to_contain_text("Arabo")
        expect(row).to_contain_text("Cremona")
    screenshot(page, "roster-arabic-cremona")
    assert_accessible(page, "the roster filtered by Arabic and district")

    rows.first.locator("a").first.click()
    expect(page.locator("main h1")).to_have_text(names[0])
    screenshot(page, "mediator-profile")
    assert_accessible(page, "a mediator's profile")


def test_profile_form_and_availability_page_are_accessible(page, live_server, demo_users):
    mediators_demo.build()
    log_in(page, live_server.url, "mediatore.cremona@example.org")
    page.get_by_role("link", name="Il mio profilo").click()
    expect(page.locator("main h1")).to_have_text("Amina El Idrissi")
    page.get_by_role("link", name="Disponibilità e assenze").click()
    # The page's script (which adds rows) runs once the page has loaded: click only then.
    page.wait_for_load_state("load")
    rows_before = page.locator("[data-formset-body=slots] tr").count()
    page.get_by_role("button", name="Aggiungi una riga").first.click()
    expect(page.locator("[data-formset-body=slots] tr")).to_have_count(rows_before + 1)
    screenshot(page, "mediator-availability")
    assert_accessible(page, "the availability page")

    page.goto(f"{live_server.url}/accounts/logout/")
    page.get_by_role("button", name="Esci").last.click()
    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    amina = User.objects.get(email="mediatore.cremona@example.org").mediator_profile
    page.goto(f"{live_server.url}{amina.get_absolute_url()}")
    page.get_by_role("link", name="Modifica il profilo").click()
    expect(page.locator("main h1")).to_contain_text("Amina El Idrissi")
    screenshot(page, "mediator-edit")
    assert_accessible(page, "the profile form")


def test_a_coordinator_previews_an_excel_csv_in_windows_1252_with_a_title_row(page, live_server, demo_users, tmp_path):
    lines = [
        "Elenco mediatori – Ambito di Cremona;;;;;;",
        "Nome;Cognome;E-mail;Genere;Ente;Ambiti;Lingue;Tariffa oraria",
        "Hélène;Ndiaye;h.ndiaye@example.org;femmina;Cooperativa Sociale Ponti di Parole;Cremona;francese|wolof;21,50 €",
        "Karim;Benali;k.benali@example.org;maschio;Cooperativa Sociale Ponti di Parole;Cremona;arabico;19",
    ]
    roster = tmp_path / "elenco.csv"
    roster.write_bytes("\r\n".join(lines).encode("cp1252"))

    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    page.goto(f"{live_server.url}/mediatori/importa/")
    page.locator("input[type=file]").set_input_files(str(roster))
    page.get_by_role("button", name="Controlla il file").click()

    notes = page.get_by_test_id("import-notes")
    expect(notes).to_contain_text("Windows-1252")
    expect(notes).to_contain_text("La riga 1 (“Elenco mediatori – Ambito di Cremona”)")
    expect(page.get_by_test_id("import-errors")).to_contain_text("“arabico” non è una lingua che conosciamo")
    expect(page.get_by_test_id("import-errors")).to_contain_text("Scrivi ara.")
    expect(page.get_by_test_id("import-errors")).to_contain_text("la riga 2 contiene i nomi delle colonne")
    screenshot(page, "roster-import-excel-preview")
    assert_accessible(page, "the preview of an Excel CSV with a title row and a misspelt language")
