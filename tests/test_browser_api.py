"""The API in a real browser: province staff make a token and copy its key; the documentation (Swagger UI served by
the portal) runs under the portal's Content Security Policy and lists the endpoints."""

import re

import pytest
from playwright.sync_api import expect

from .browser_support import assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def test_province_staff_make_a_token_for_an_office_and_see_the_key_once(page, live_server):
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}/integrazioni/token/")
    assert_accessible(page, "the API tokens page")
    page.get_by_label("Nome").fill("Cartella sociale Comune di Cremona")
    page.get_by_label("Agisce come").select_option(label="Assistente sociale")
    page.get_by_label("Servizio", exact=True).select_option(index=1)
    page.get_by_role("button", name="Crea il token").click()
    key = page.get_by_test_id("api-key")
    expect(key).to_have_value(re.compile(r"^mdz_[a-z0-9]{10}_"))
    assert_accessible(page, "the page that shows a new key")
    screenshot(page, "api-token-made", full_page=False)
    page.get_by_role("link", name="Torna ai token").click()
    expect(page.get_by_test_id("api-tokens")).to_contain_text("Cartella sociale Comune di Cremona")
    screenshot(page, "api-tokens", full_page=False)


def test_the_api_documentation_works_under_the_content_security_policy(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("/api/v1/requests/").first).to_be_visible()
    expect(page.get_by_text("Mediazione API").first).to_be_visible()
    assert_static_files_loaded(page)
    screenshot(page, "api-docs", full_page=False)
