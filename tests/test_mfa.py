"""Multi-factor login: required for the roles of MFA_REQUIRED_ROLES, asked at every login, not bypassed by /admin/."""

import re
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import override as translation_override

from accounts import demo
from tests.test_settings import run_check

pytestmark = pytest.mark.django_db

PRODUCTION_ROLES = ["coordinator", "province_staff", "administrator"]


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, computed with allauth's own TOTP helpers."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client: Client, username: str):
    return client.post(reverse("account_login"), {"login": demo.demo_email(username), "password": demo.DEMO_PASSWORD})


def reauthenticate(client: Client) -> None:
    """allauth asks for the password again before an authenticator is added (a stolen session cannot add one)."""
    response = client.post(reverse("account_reauthenticate"), {"password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def activate_totp(client: Client) -> str:
    """Goes through the setup page as a person would: reads the secret from the page, enters the app's code."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        reauthenticate(client)
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7=]+)"', page.content.decode()).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    return settings


@pytest.fixture
def world(demo_world):
    return demo_world


def test_a_coordinator_without_mfa_is_led_to_set_it_up_from_any_page(world, mfa_on):
    client = Client()
    assert log_in(client, "coordinatore.cremona").status_code == 302
    setup = reverse("mfa_activate_totp")
    for url in [reverse("home"), reverse("mediators:list"), "/richieste/", "/calendario/", "/admin/", "/nowhere/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == setup, url
    # A form posted elsewhere is refused the same way, and nothing else happens.
    assert client.post(reverse("accounts:invite"), {"email": "x@example.org"})["Location"] == setup
    # The setup page first asks for the password again (allauth's reauthentication), which stays open too.
    response = client.get(setup)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(response["Location"]).status_code == 200
    reauthenticate(client)
    page = client.get(setup)
    assert page.status_code == 200


def test_the_redirect_says_why(world, mfa_on):
    from django.contrib.messages import get_messages

    client = Client()
    log_in(client, "coordinatore.cremona")
    response = client.get(reverse("mediators:list"))
    said = [str(message) for message in get_messages(response.wsgi_request)]
    with translation_override("it"):
        expected = gettext(
            "Your role requires two-factor authentication: set up an authenticator app on your phone to continue."
        )
    assert expected in said


def test_htmx_requests_are_sent_to_the_setup_page_as_a_whole_page(world, mfa_on):
    client = Client()
    log_in(client, "coordinatore.cremona")
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("mfa_activate_totp")


def test_the_setup_pages_logout_language_and_health_stay_open(world, mfa_on):
    client = Client()
    log_in(client, "coordinatore.cremona")
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 302  # to the reauthentication, not elsewhere
    reauthenticate(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get(reverse("health")).status_code in (200, 503)
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_after_adding_totp_the_coordinator_can_work(world, mfa_on):
    client = Client()
    log_in(client, "coordinatore.cremona")
    activate_totp(client)
    user = world["users"]["coordinatore.cremona"]
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # allauth generated recovery codes together with the app.
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200
    assert codes.content.decode().count("<li>") >= 10
    overview = client.get(reverse("mfa_index"))
    assert overview.status_code == 200
    assert reverse("mfa_deactivate_totp") in overview.content.decode()
    assert reverse("mfa_generate_recovery_codes") in overview.content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("mediators:list")).status_code == 200


def test_login_asks_for_the_code_and_a_wrong_code_does_not_log_in(world, mfa_on):
    client = Client()
    log_in(client, "coordinatore.cremona")
    secret = activate_totp(client)
    client.post(reverse("account_logout"))

    client = Client()
    response = log_in(client, "coordinatore.cremona")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()
    # Not logged in yet: every page still sends to the login.
    assert client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def _code_at(secret: str, moment: float) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(moment) // 30))


def test_the_code_of_the_half_minute_before_is_accepted_but_not_an_older_one(world, mfa_on):
    """A phone whose clock is a little behind, or a code typed just as the app changed it: accepted
    (MFA_TOTP_TOLERANCE). A code of two minutes ago is not."""
    client = Client()
    log_in(client, "coordinatore.cremona")
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    # In the middle of a half minute, so that the codes below are the ones meant whatever the second the test runs.
    moment = (int(time.time()) // 30 + 10) * 30 + 15
    with time_machine.travel(moment, tick=False):
        client = Client()
        log_in(client, "coordinatore.cremona")
        old = client.post(reverse("mfa_authenticate"), {"code": _code_at(secret, moment - 120)})
        assert old.status_code == 200 and "_auth_user_id" not in client.session
        late = client.post(reverse("mfa_authenticate"), {"code": _code_at(secret, moment - 30)})
        assert late.status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_also_logs_in_once(world, mfa_on):
    client = Client()
    log_in(client, "provincia.cremona")
    activate_totp(client)
    user = world["users"]["provincia.cremona"]
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    client = Client()
    log_in(client, "provincia.cremona")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client = Client()
    log_in(client, "provincia.cremona")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_user_with_mfa_whose_session_skipped_the_code_is_asked_to_log_in_again(world, mfa_on):
    user = world["users"]["coordinatore.cremona"]
    client = Client()
    log_in(client, "coordinatore.cremona")
    activate_totp(client)
    # A session that never gave the code (here: a login that went around allauth's form).
    other = Client()
    other.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = other.get(reverse("mediators:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in other.session
    # Not even the MFA pages: such a session must not read the recovery codes or switch the app off.
    for url in [reverse("mfa_view_recovery_codes"), reverse("mfa_deactivate_totp"), reverse("mfa_index")]:
        other.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = other.get(url)
        assert response["Location"].startswith(reverse("account_login")), url
        assert "_auth_user_id" not in other.session, url
    # The session that activated the app keeps working.
    assert client.get(reverse("mediators:list")).status_code == 200


def test_the_admin_login_form_cannot_bypass_the_second_factor(world, mfa_on):
    client = Client()
    log_in(client, "admin")
    activate_totp(client)
    client.post(reverse("account_logout"))

    client = Client()
    # The admin's own login page is allauth's: posting the admin's form fields logs nobody in.
    response = client.post(
        "/admin/login/", {"username": demo.demo_email("admin"), "password": demo.DEMO_PASSWORD, "next": "/admin/"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    # Through allauth's login the code is asked before /admin/ opens.
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": demo.demo_email("admin"), "password": demo.DEMO_PASSWORD},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_administrator_without_mfa_cannot_open_the_admin(world, mfa_on):
    client = Client()
    log_in(client, "admin")
    response = client.get("/admin/")
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_social_worker_and_a_mediator_are_not_forced(world, mfa_on):
    for username in ["assistente.cremona", "mediatore.cremona", "asl.cremona"]:
        client = Client()
        log_in(client, username)
        assert client.get(reverse("home")).status_code == 200, username
        # They may still choose it.
        assert client.get(reverse("mfa_index")).status_code == 200, username


def test_with_no_required_roles_a_coordinator_clicks_through(world, settings):
    settings.MFA_REQUIRED_ROLES = []
    client = Client()
    log_in(client, "coordinatore.cremona")
    assert client.get(reverse("mediators:list")).status_code == 200


def test_a_required_role_cannot_switch_off_the_last_authenticator_app(world, mfa_on):
    client = Client()
    log_in(client, "coordinatore.cremona")
    activate_totp(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert Authenticator.objects.filter(
        user=world["users"]["coordinatore.cremona"], type=Authenticator.Type.TOTP
    ).exists()


def test_an_optional_user_can_switch_it_off(world, mfa_on):
    client = Client()
    log_in(client, "assistente.cremona")
    activate_totp(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(
        user=world["users"]["assistente.cremona"], type=Authenticator.Type.TOTP
    ).exists()


def test_the_mfa_pages_are_in_the_portal_layout_and_in_italian(world, mfa_on):
    client = Client()
    log_in(client, "coordinatore.cremona")
    reauthenticate(client)
    content = client.get(reverse("mfa_activate_totp")).content.decode()
    assert 'lang="it"' in content
    assert "it-header-wrapper" in content
    assert 'data-testid="totp-qr"' in content
    assert "data:image/svg+xml;base64," in content


# --- the setting ---------------------------------------------------------------------------------------------------


def test_the_production_default_requires_coordinators_province_staff_and_administrators(tmp_path):
    from tests.test_settings import read_settings

    code = "from django.conf import settings as s; print(','.join(s.MFA_REQUIRED_ROLES))"
    production = read_settings(tmp_path, code, DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="a.example.org")
    assert production.stdout.strip() == "coordinator,province_staff,administrator", production.stderr
    demo_default = read_settings(tmp_path, code, DEBUG="1")
    assert demo_default.stdout.strip() == ""
    chosen = read_settings(tmp_path, code, DEBUG="1", MFA_REQUIRED_ROLES=" coordinator , mediator ,")
    assert chosen.stdout.strip() == "coordinator,mediator"
    empty = read_settings(
        tmp_path, code, DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="a.example.org", MFA_REQUIRED_ROLES=""
    )
    assert empty.stdout.strip() == ""


def test_an_unknown_role_name_is_reported_by_the_check(tmp_path):
    result = run_check(tmp_path, DEBUG="1", MFA_REQUIRED_ROLES="coordinator,coordinatori,admin")
    assert result.returncode != 0
    assert "mediazione.E001" in result.stderr
    assert "MFA_REQUIRED_ROLES names 'coordinatori', 'admin', which are not roles" in result.stderr
    assert "province_staff" in result.stderr
