"""The training course in a real browser, under the portal's Content Security Policy: a coordinator nominates someone
of her district, the province's staff keep a session's register; the pages pass axe-core. The screenshots go to
test-artifacts/."""

import pytest
from playwright.sync_api import expect

from training import demo as training_demo
from training.models import Course, Nomination

from .browser_support import assert_accessible, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_course(demo_users):
    training_demo.build()
    return Course.objects.get(title=training_demo.TITLE)


def test_a_coordinator_nominates_an_external_person_of_her_district(page, live_server, demo_course):
    log_in(page, live_server.url, "coordinatore.cremona@example.org")
    page.goto(f"{live_server.url}/corsi/{demo_course.pk}/")
    assert_accessible(page, "the course page")
    screenshot(page, "training-course", full_page=True)
    page.get_by_test_id("training-nominate-link").click()
    expect(page.get_by_test_id("training-places-used")).to_contain_text("Posti usati: 4 su 6.")
    page.get_by_label("Nome e cognome").fill("Elisa Fontana")
    page.get_by_label("Ente").fill("Consultorio Familiare – Cremona")
    page.get_by_label("E-mail").fill("e.fontana@example.org")
    page.get_by_role("button", name="Candida").last.click()
    expect(page.get_by_test_id("training-places-used")).to_contain_text("Posti usati: 5 su 6.")
    assert_accessible(page, "the nomination page")
    screenshot(page, "training-nominate", full_page=True)
    assert Nomination.objects.get(email="e.fontana@example.org").status == Nomination.Status.NOMINATED
    assert page.failed_requests == [], page.failed_requests


def test_the_province_keeps_the_register_of_a_session(page, live_server, demo_course):
    session = demo_course.sessions.order_by("starts_at").first()
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}/corsi/sessioni/{session.pk}/presenze/")
    register = page.get_by_test_id("training-register")
    expect(register.get_by_role("checkbox", name="Ilaria Bodini")).not_to_be_checked()
    register.get_by_role("checkbox", name="Ilaria Bodini").check()
    assert_accessible(page, "the register")
    screenshot(page, "training-register", full_page=True)
    page.get_by_role("button", name="Salva il registro").click()
    expect(page.locator(".alert-success, [role=alert]").first).to_contain_text("presenti")
    assert session.attendances.get(nomination__full_name="Ilaria Bodini").present
