"""The portal on a phone and on paper (issue 16): the web manifest, the service worker, the offline page, the favicon,
whose page each page is (for the worker's copies), the print stylesheet, the neutral login message, the main menu's
"More" dropdown, the report job page's single status and the report form's outcome buttons."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts import demo
from accounts.models import Role
from mediazione.navigation import items_for
from mediazione.pwa import OWNER_HEADER, offline_owner

from .conftest import login_client

pytestmark = pytest.mark.django_db

PORTAL_CSS = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"


def test_the_manifest_is_served_as_a_web_manifest_in_italian_with_its_icons():
    response = Client().get(reverse("manifest"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["lang"] == "it"
    assert manifest["name"] == "Mediazione · mediazione linguistico-culturale"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = Path(settings.BASE_DIR) / "static" / icon["src"].removeprefix(settings.STATIC_URL).lstrip("/")
        assert path.read_bytes().startswith(b"\x89PNG"), icon["src"]


def test_the_service_worker_is_served_from_the_root_as_javascript_never_cached_with_its_scope_allowed():
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    # The shell it keeps: the portal's own styles and scripts, the fonts and the offline page.
    for needed in ("/static/css/portal.css", "/static/js/portal.js", "titillium-web", '"/offline/"'):
        assert needed in script, needed
    # Pages only from the network while it answers; the copies are dropped at logout.
    assert 'const LOGOUT_URL = "/accounts/logout/"' in script
    assert "X-Offline-Owner" in script


def test_the_policy_allows_the_worker_and_the_manifest_from_the_portal_only():
    policy = Client().get(reverse("account_login")).headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}

    assert directives["worker-src"] == ["'self'"]
    assert directives["manifest-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]


def test_every_page_links_the_manifest_and_the_icons_and_asks_for_the_worker(demo_world):
    page = login_client(demo_world["users"]["mediatore.cremona"]).get(reverse("home")).content.decode()

    assert f'<link rel="manifest" href="{reverse("manifest")}">' in page
    assert 'rel="icon"' in page and 'rel="apple-touch-icon"' in page
    assert 'data-service-worker="/sw.js"' in page


def test_the_favicon_at_the_root_leads_to_the_icon():
    response = Client().get("/favicon.ico")

    assert response.status_code == 301 and response["Location"].endswith("icons/favicon.ico")


def test_the_offline_page_is_the_same_for_everybody_and_names_nobody(demo_world):
    mediator = demo_world["users"]["mediatore.cremona"]
    anonymous = Client().get(reverse("offline"))
    logged_in = login_client(mediator).get(reverse("offline"))

    assert anonymous.status_code == logged_in.status_code == 200
    assert "Nessuna connessione" in anonymous.content.decode()
    assert mediator.first_name not in logged_in.content.decode()
    assert mediator.email not in logged_in.content.decode()


def test_each_page_says_whose_it_is_so_that_the_worker_never_keeps_two_peoples_pages(demo_world):
    users = demo_world["users"]
    amina, wei = users["mediatore.cremona"], users["mediatore.crema"]

    first = login_client(amina).get(reverse("scheduling:calendar"))
    second = login_client(wei).get(reverse("scheduling:calendar"))
    nobody = Client().get(reverse("account_login"))

    assert first[OWNER_HEADER] == offline_owner(amina) != second[OWNER_HEADER] == offline_owner(wei)
    assert nobody[OWNER_HEADER] == "none"
    # A page for nobody also deletes the copies from the page's own script.
    assert "data-anonymous" in nobody.content.decode()


def test_the_login_message_is_neutral_in_italian(demo_world):
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": demo.demo_email("mediatore.cremona"), "password": demo.DEMO_PASSWORD},
        follow=True,
    )

    texts = [str(m) for m in get_messages(response.wsgi_request)] or [
        m for m in re.findall(r'class="alert[^"]*">([^<]+)<', response.content.decode())
    ]
    assert any(text.startswith("Accesso eseguito") for text in texts), texts
    assert not any("collegat" in text for text in texts), texts

    client.post(reverse("account_logout"))
    after = client.get(reverse("account_login")).content.decode()
    assert "Disconnessione eseguita." in after and "scollegat" not in after


def test_the_print_stylesheet_hides_menu_buttons_and_footer_and_does_not_cut_a_row():
    css = PORTAL_CSS.read_text(encoding="utf-8")
    start = css.index("@media print {")
    block = css[start : css.index("\n}\n", start)]

    for hidden in (".it-header-wrapper", ".it-footer", ".breadcrumb-container", ".btn", "button", "form", "nav.navbar"):
        assert re.search(rf"[\s,(]{re.escape(hidden)}[\s,)]", block), hidden
    assert "display: none !important" in block
    assert re.search(r"tr, td, th[^{]*\{[^}]*break-inside: avoid", block)


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR])
def test_the_menu_keeps_at_most_seven_entries_in_line_and_the_rest_under_more(role):
    class Actor:
        pass

    actor = Actor()
    actor.role = role
    items = items_for(actor, "/")

    in_line = [item for item in items if not item["secondary"]]
    assert 1 <= len(in_line) <= 7, [str(item["label"]) for item in in_line]
    assert any(item["secondary"] for item in items)


def test_the_report_job_page_says_only_what_its_status_card_says(transactional_db):
    """With the job done by the time the page opens, no message "being prepared" sits above the card "ready"
    (committed for real: the job is handed to the eager worker when the request's transaction commits)."""
    from reporting.models import ReportJob

    from .test_reporting import build_data

    data = build_data()
    response = login_client(data.staff).post(
        reverse("reporting:jobs"),
        {"dal": "2025-01-01", "al": "2025-12-31", "formato": "csv", "versione": "province"},
        follow=True,
    )

    assert ReportJob.objects.get().status == "done", response.redirect_chain
    page = response.content.decode()
    assert 'data-status="done"' in page
    assert "in preparazione" not in page.lower()
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == []


def test_the_reporting_dashboard_offers_to_prepare_the_report_before_the_figures():
    from .test_reporting import build_data

    data = build_data()
    page = login_client(data.staff).get(reverse("reporting:dashboard")).content.decode()

    assert page.index('data-testid="job-form"') < page.index('data-testid="key-figures"')


def test_the_app_files_stay_open_to_someone_who_must_still_set_up_two_factor_login(demo_world, settings):
    settings.MFA_REQUIRED_ROLES = [Role.MEDIATOR]
    client = login_client(demo_world["users"]["mediatore.cremona"])

    assert client.get(reverse("home")).status_code == 302  # led to set up the authenticator app
    for name in ("manifest", "service_worker", "offline"):
        assert client.get(reverse(name)).status_code == 200, name
