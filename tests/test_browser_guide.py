"""The mini-guide in a real browser: the public guide in Arabic (right to left) and Chinese, and the mediator's
side-by-side translation page, each checked with axe-core and kept as a screenshot in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from guide import demo as guide_demo
from guide.models import TranslationTask
from mediators import demo as mediators_demo

from .browser_support import assert_accessible, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_guide(demo_users):
    mediators_demo.build()
    return guide_demo.build()


@pytest.mark.parametrize(("language", "tag", "direction", "words", "address"), [
    ("ara", "ar", "rtl", "مركز الاستشارة العائلية", "العنوان"),
    ("zho", "zh", "ltr", "家庭咨询中心", "地址"),
])  # fmt: skip
def test_the_public_guide_reads_in_the_familys_language(
    page, live_server, demo_guide, language, tag, direction, words, address
):
    page.goto(f"{live_server.url}/guida/cremona/?lingua={language}")
    content = page.get_by_test_id("guide-content").first
    expect(content).to_have_attribute("lang", tag)
    expect(content).to_have_attribute("dir", direction)
    expect(page.get_by_text(words).first).to_be_visible()
    assert_accessible(page, f"the public guide in {language}")
    screenshot(page, f"guide-public-{language}", full_page=False)
    # The labels of the entries are in the family's language too (the demo's approved translations).
    first = page.get_by_test_id("guide-entry").first
    expect(first.get_by_text(address, exact=True)).to_be_visible()
    first.scroll_into_view_if_needed()
    screenshot(page, f"guide-public-{language}-entry", full_page=False)


def test_the_mediator_translates_on_the_side_by_side_page(page, live_server, demo_guide):
    task = TranslationTask.objects.get(translator__user__email="mediatore.cremona@example.org")
    log_in(page, live_server.url, "mediatore.cremona@example.org")
    page.goto(f"{live_server.url}/guida/traduzioni/{task.pk}/")
    expect(page.get_by_test_id("side-by-side").first).to_be_visible()
    expect(page.locator("textarea[lang=ar][dir=rtl]").first).to_be_visible()
    assert_accessible(page, "the side-by-side translation page")
    screenshot(page, "guide-side-by-side", full_page=False)


def test_the_province_prepares_the_arabic_booklet_and_families_find_it_on_the_public_page(
    page, live_server, demo_guide
):
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}/guida/opuscoli/")
    page.locator("#id_district").select_option(label="Cremona")
    page.locator("#id_language").select_option("ara")
    page.get_by_role("button", name="Prepara l'opuscolo").click()
    # Without a broker the booklet is built before the page comes back.
    expect(page.get_by_test_id("editions").get_by_role("link", name="Scarica il PDF")).to_have_count(1)
    assert_accessible(page, "the editions of the booklet")
    screenshot(page, "guide-editions", full_page=False)
    page.goto(f"{live_server.url}/guida/cremona/opuscoli/")
    rows = page.get_by_test_id("public-editions").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("العربية")
    assert_accessible(page, "the public booklets")
    screenshot(page, "guide-public-editions", full_page=False)


def test_the_mediator_hands_in_with_the_hours_and_finds_them_in_her_timesheet(page, live_server, demo_guide):
    from accounts.models import Province, User
    from accounts.scoping import actor_for
    from guide import services as guide_services
    from timesheets.models import ProvinceTimesheetSettings

    cremona = Province.objects.get(slug="cremona")
    ProvinceTimesheetSettings.objects.create(province=cremona, counts_translation_work=True)
    task = TranslationTask.objects.get(translator__user__email="mediatore.cremona@example.org")
    log_in(page, live_server.url, "mediatore.cremona@example.org")
    page.goto(f"{live_server.url}/guida/traduzioni/{task.pk}/")
    for area in page.locator("textarea[lang=ar]").all():
        area.fill("ترجمة محدثة")
    page.locator("#id_ore").fill("2,5")
    page.locator("#id_ore").scroll_into_view_if_needed()
    screenshot(page, "guide-side-by-side-hours", full_page=False)
    page.locator("button[name=consegna]").click()
    expect(page.get_by_test_id("task-hours")).to_have_text("2,50")
    coordinator = User.objects.get(email="coordinatore.cremona@example.org")
    guide_services.translation_task_approve(actor=actor_for(coordinator), task=task)
    page.goto(f"{live_server.url}/fogli-ore/miei/")
    line = page.get_by_test_id("translation-line").first
    expect(line).to_contain_text("Traduzione mini-guida:")
    expect(line).to_contain_text("(arabo)")
    line.scroll_into_view_if_needed()
    assert_accessible(page, "my timesheet with translation work")
    screenshot(page, "timesheet-translation-work", full_page=False)
