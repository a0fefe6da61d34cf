"""The operators' FAQ in a real browser, under the portal's Content Security Policy: a script written into an answer
never runs, the ask form suggests existing answers while the question is typed (htmx), the pages pass axe-core. The
screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from faq import demo as faq_demo
from faq import services
from faq.models import Question

from .browser_support import assert_accessible, log_in, screenshot
from .faq_factories import ADMIN, category

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

HOSTILE = (
    "Sì, **con una richiesta**.\n\n<script>window.faqInjected = 'script'; alert('script')</script>\n\n"
    "<img src=x onerror=\"window.faqInjected = 'img'; alert('img')\">\n\n"
    "[clic](javascript:window.faqInjected='link') "
    '<a href="#" onclick="window.faqInjected = \'onclick\'" id="trap">trappola</a>\n\n'
    "<iframe src=\"javascript:alert('frame')\"></iframe><svg onload=\"alert('svg')\"></svg>"
)


@pytest.fixture
def demo_faq(demo_users):
    return faq_demo.build()


def test_a_script_written_into_an_answer_never_runs(page, live_server, demo_faq):
    question = Question.objects.filter(province__slug="cremona", status="waiting").first()
    services.question_answer(actor=ADMIN, question=question, answer=HOSTILE, category=category())
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server.url, "assistente.cremona@example.org")
    page.goto(f"{live_server.url}/domande/{question.pk}/")
    answer = page.get_by_test_id("faq-answer")
    expect(answer.locator("strong")).to_have_text("con una richiesta")
    page.get_by_text("trappola").click()
    page.get_by_text("clic").click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.faqInjected") is None
    assert dialogs == []
    assert answer.locator("script, img, iframe, svg, [onclick], [onerror]").count() == 0
    assert page.failed_requests == [], page.failed_requests


def test_the_list_and_an_answer_read_well(page, live_server, demo_faq):
    log_in(page, live_server.url, "assistente.cremona@example.org")
    page.goto(f"{live_server.url}/domande/?q=richiesta+urgente")
    expect(page.get_by_test_id("faq-answers").locator("mark").first).to_be_visible()
    assert_accessible(page, "the FAQ search")
    screenshot(page, "faq-search", full_page=False)
    page.goto(f"{live_server.url}/domande/")
    assert_accessible(page, "the FAQ list")
    screenshot(page, "faq-list", full_page=False)
    question = Question.objects.get(title__startswith="Quali documenti servono")
    page.goto(f"{live_server.url}/domande/{question.pk}/")
    expect(page.get_by_test_id("faq-answer").locator("li")).to_have_count(4)
    assert_accessible(page, "an answer")
    screenshot(page, "faq-answer")
    assert page.failed_requests == [], page.failed_requests


def test_typing_a_question_shows_the_answers_already_given(page, live_server, demo_faq):
    log_in(page, live_server.url, "mediatore.cremona@example.org")
    page.goto(f"{live_server.url}/domande/nuova/")
    expect(page.get_by_test_id("faq-privacy-warning")).to_be_visible()
    page.get_by_label("La tua domanda").press_sequentially("Posso tradurre la pagella della scuola?", delay=20)
    suggestions = page.get_by_test_id("faq-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions).to_contain_text("pagella")
    assert_accessible(page, "the ask form with suggestions")
    screenshot(page, "faq-ask-suggestions")
    page.get_by_label("La tua domanda").fill("Il ragazzo RSSMRA85T10A562S può cambiare classe?")
    page.get_by_role("button", name="Invia la domanda").click()
    expect(page.get_by_text("codice fiscale").first).to_be_visible()
    assert not Question.objects.filter(title__contains="RSSMRA").exists()


def test_the_province_sees_the_questions_waiting(page, live_server, demo_faq):
    assert User.objects.filter(email="provincia.cremona@example.org").exists()
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}/domande/in-attesa/")
    expect(page.get_by_test_id("faq-waiting-list").locator("tbody tr")).to_have_count(4)
    assert_accessible(page, "the questions waiting")
    screenshot(page, "faq-waiting", full_page=False)
    page.get_by_role("link", name="Esperti che rispondono").click()
    expect(page.get_by_test_id("faq-experts")).to_contain_text("Laura Rossi")
    assert_accessible(page, "the experts who answer")
    screenshot(page, "faq-experts", full_page=False)
