"""The mini-guide in a real browser: the public guide in Arabic (right to left) and Chinese, and the mediator's
side-by-side translation page, each checked with axe-core and kept as a screenshot in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from guide import demo as guide_demo
from guide.models import ServiceAtLocation, TranslationTask
from mediators import demo as mediators_demo

from .browser_support import assert_accessible, assert_static_files_loaded, log_in, screenshot
from .demo_snapshot import demo_built_by

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_guide(demo_users):
    return demo_built_by([mediators_demo.build, guide_demo.build], demo_users)[1][1]


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


# A grey tile: the browser tests never reach the internet, the tile server answers from here.
GREY_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63b87bf72e0005320298c30dfa8f0000000049454e44ae426082"
)


def _grey_tile(route):
    route.fulfill(body=GREY_TILE, content_type="image/png")


@pytest.mark.parametrize(("language", "name"), [("ita", "Consultorio familiare"), ("ara", "مركز الاستشارة العائلية")])
def test_the_map_shows_a_marker_for_each_service_with_a_place_when_the_reader_opens_it(
    page, live_server, demo_guide, language, name
):
    page.route("https://tile.openstreetmap.org/**", _grey_tile)
    page.goto(f"{live_server.url}/guida/cremona/?lingua={language}&categoria=consultorio-familiare")
    entries = page.get_by_test_id("guide-entry")
    disclosure = page.get_by_test_id("guide-map")
    expect(disclosure).to_be_visible()
    disclosure.locator("summary").click()
    markers = page.locator(".leaflet-marker-icon")
    # The three consultori of the districts have a place; every entry of the list does here.
    expect(markers).to_have_count(entries.count())
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    markers.first.click()
    expect(page.locator(".leaflet-popup-content a")).to_contain_text(name)
    assert_static_files_loaded(page)
    assert_accessible(page, "the public guide with its map open")
    screenshot(page, f"guide-public-map-{language}", full_page=False)


def test_without_javascript_the_list_is_the_whole_guide_and_no_map_shows(browser, live_server, demo_guide):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/guida/cremona/")
        expect(page.get_by_test_id("guide-map")).to_be_hidden()
        published = ServiceAtLocation.objects.filter(province__slug="cremona", is_public=True).count()
        expect(page.get_by_test_id("guide-entry")).to_have_count(published)
        screenshot(page, "guide-public-no-javascript", full_page=False)
    finally:
        context.close()


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
