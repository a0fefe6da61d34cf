"""What a person sees in a real browser: log in, the home of each role, languages, phones, accessibility.

Debian's Chromium driven by Playwright against the live server, with the demo organisations and users. Screenshots
land in test-artifacts/ (gitignored); axe-core must find no serious or critical violation on any page visited.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from accounts.models import Role

from .browser_support import assert_accessible, assert_static_files_loaded, contrast_ratio, log_in, screenshot

# The fixtures (browser, page, mobile_page, demo_users) live beside the helpers, not in conftest.py.
pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def test_social_worker_logs_in_and_sees_the_home_of_her_role(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Accedi a Mediazione")
    screenshot(page, "login-it")
    assert_accessible(page, "the login page")

    log_in(page, live_server.url, "assistente.cremona@example.org", through_the_form=True)

    assert page.url == f"{live_server.url}/"
    expect(page.locator("main h1")).to_contain_text("Giulia")
    expect(page.get_by_test_id("current-user")).to_have_text("Giulia Ferrari")
    with translation.override("it"):
        role = str(Role.SOCIAL_WORKER.label)  # "Assistente sociale", as the Italian catalogue has it
    expect(page.get_by_test_id("current-role")).to_contain_text(f"{role} · Servizio Tutela Minori – Cremona")
    expect(page.locator("main .lead")).to_contain_text("Servizio Tutela Minori – Cremona")
    screenshot(page, "home-social-worker")
    assert_accessible(page, "the home page of a social worker")
    assert_static_files_loaded(page)


def test_login_page_is_in_italian_by_default_and_in_english_after_the_switch(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    heading = page.locator("h1").inner_text()
    assert heading == "Accedi a Mediazione", f"{heading!r}: is the Italian catalogue compiled (make messages)?"
    expect(page.get_by_role("button", name="Accedi", exact=True)).to_be_visible()

    page.locator("button[name=language][value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in to Mediazione")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.locator("button[name=language][value=en]")).to_have_attribute("aria-current", "true")
    screenshot(page, "login-en")
    assert_accessible(page, "the login page in English")

    page.locator("button[name=language][value=it]").click()
    expect(page.locator("h1")).to_have_text("Accedi a Mediazione")


def test_both_language_buttons_are_legible(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    for code in ("it", "en"):
        button = page.locator(f"button[name=language][value={code}]")
        ratio = contrast_ratio(button)
        assert ratio >= 4.5, f"The {code.upper()} button has a contrast of {ratio:.2f}:1 (WCAG AA asks 4.5:1)"


def test_titillium_web_arrives(page, live_server):
    font_responses = []
    page.on("response", lambda r: font_responses.append(r) if "/fonts/" in r.url else None)
    page.goto(f"{live_server.url}/accounts/login/")

    # portal.js hands Bootstrap Italia the fonts' address once the page is ready; the browser then fetches them.
    # (document.fonts.check() alone is true when no Titillium face exists at all.)
    try:
        page.wait_for_function(
            "[...document.fonts].some(f => f.family.replaceAll('\"', '') === 'Titillium Web' && f.status === 'loaded')"
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"Titillium Web never loaded. Font responses: {[(r.url, r.status) for r in font_responses]}")
    titillium = [r for r in font_responses if "titillium" in r.url.lower()]
    assert titillium, "No Titillium Web font was requested: is bootstrap.loadFonts() called by portal.js?"
    assert all(r.status == 200 for r in titillium), [(r.url, r.status) for r in titillium]
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert body_font.startswith('"Titillium Web"'), body_font
    assert_static_files_loaded(page)


@pytest.mark.parametrize(
    "username", ["coordinatore.cremona", "mediatore.cremona", "provincia.cremona", "asl.cremona", "admin"]
)
def test_every_role_lands_on_its_own_home(page, live_server, demo_users, username):
    membership = demo_users[username].memberships.get()
    with translation.override("it"):  # role names as the Italian catalogue has them today
        role = str(Role(membership.role).label)

    log_in(page, live_server.url, f"{username}@example.org", through_the_form=True)

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_test_id("current-role")).to_contain_text(role)
    if membership.scope is not None:
        expect(page.get_by_test_id("current-role")).to_contain_text(f"{role} · {membership.scope}")
    expect(page.locator("main h2").first).to_be_visible()
    screenshot(page, f"home-{username.split('.')[0]}")
    assert_accessible(page, f"the home page of {username}")


@pytest.mark.parametrize(
    ("username", "url_name", "heading"),
    [
        ("coordinatore.cremona", "accounts:people", "People"),
        ("coordinatore.cremona", "accounts:invite", "Invite a person"),
        ("provincia.cremona", "accounts:organisations", "Organisations"),
    ],
)
def test_pages_of_the_roles_are_accessible(page, live_server, username, url_name, heading):
    log_in(page, live_server.url, f"{username}@example.org")
    page.goto(live_server.url + reverse(url_name))

    with translation.override("it"):
        expect(page.locator("main h1")).to_have_text(translation.gettext(heading))
    screenshot(page, f"{url_name.split(':')[-1]}-{username.split('.')[0]}")
    assert_accessible(page, reverse(url_name))
    assert_static_files_loaded(page)


def test_a_missing_page_answers_404_in_the_portal_look(page, live_server):
    response = page.goto(f"{live_server.url}/non-esiste/")

    assert response.status == 404
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("header.it-header-wrapper")).to_be_visible()
    screenshot(page, "not-found")
    assert_accessible(page, "the 404 page")
    assert_static_files_loaded(page)


def test_on_a_phone_the_menu_opens_and_nothing_overflows(mobile_page, live_server):
    page = mobile_page
    log_in(page, live_server.url, "coordinatore.cremona@example.org")

    with translation.override("it"):
        people, coordinator = translation.gettext("People"), str(Role.COORDINATOR.label)
    menu = page.locator("#main-nav")
    people_link = menu.get_by_role("link", name=people, exact=True)
    expect(people_link).to_be_hidden()
    page.locator("button.custom-navbar-toggler").click()
    expect(people_link).to_be_visible()
    # The header has no room for the role on a phone: the menu says who is working, and as what.
    expect(menu.locator(".drawer-account")).to_contain_text("Laura Rossi")
    expect(menu.locator(".drawer-account")).to_contain_text(f"{coordinator} · Cremona")
    # Once the menu has slid in, Bootstrap Italia traps the focus in it, starting from its close button.
    expect(menu.locator(".close-menu")).to_be_focused()
    screenshot(page, "mobile-menu", full_page=False)  # the open menu covers the screen, not the whole page
    menu.locator(".close-menu").click()
    expect(people_link).to_be_hidden()

    for path in ("/", reverse("accounts:people"), reverse("accounts:invite")):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a 390px phone"
    screenshot(page, "mobile-invite")
    assert_accessible(page, "the invitation form on a phone")


def test_the_skip_link_moves_to_the_content(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
