"""Login with e-mail and password through allauth: no sign-up, rate limits, session expiry, role landing."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import demo

pytestmark = pytest.mark.django_db


def test_every_demo_user_logs_in_and_lands_on_the_dashboard_of_the_role(demo_world):
    expected = {
        "assistente.cremona": "Servizio Tutela Minori – Cremona",
        "coordinatore.cremona": "Cremona",
        "mediatore.cremona": "Cooperativa Sociale Ponti di Parole",
        "provincia.cremona": "Provincia di Cremona",
        "asl.cremona": "ASL Cremona",
        "admin": "",
    }
    for username in demo.USERS:
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": demo.demo_email(username), "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert response["Location"] == reverse("home"), username
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert home.context["actor"].role == demo.USERS[username][2], username
        assert expected.get(username, "") in home.content.decode()


def test_a_wrong_password_is_refused_with_a_message(demo_world):
    response = Client().post(
        reverse("account_login"), {"login": "assistente.cremona@example.org", "password": "sbagliata"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in Client().session


def test_there_is_no_sign_up_page():
    assert Client().get("/accounts/signup/").status_code == 404
    response = Client().post("/accounts/signup/", {"email": "chiunque@example.org", "password1": "x" * 12})
    assert response.status_code == 404


def test_the_login_page_does_not_offer_a_sign_up_link():
    content = Client().get(reverse("account_login")).content.decode()
    assert "/accounts/signup/" not in content


def test_repeated_failed_logins_are_rate_limited(demo_world):
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "assistente.cremona@example.org", "password": "sbagliata"})
    # After five failures even the right password is refused for a while, with a message saying why.
    response = client.post(
        reverse("account_login"), {"login": "assistente.cremona@example.org", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = " ".join(str(e) for e in response.context["form"].non_field_errors())
    assert "Troppi tentativi di accesso" in errors


def test_session_ends_when_idle_and_when_the_browser_closes(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    # Its end is pushed back every few minutes of use (mediazione.middleware.SessionIdleMiddleware), not on every page.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < settings.SESSION_RENEW_SECONDS <= settings.SESSION_COOKIE_AGE // 12


def test_an_idle_session_is_logged_out(demo_world, settings):
    from datetime import UTC, datetime, timedelta

    import time_machine

    # On Sunday 31 December at 23:30 (Rome): an hour idle ends in the new year.
    with time_machine.travel(datetime(2023, 12, 31, 22, 30, tzinfo=UTC), tick=False) as clock:
        client = Client()
        client.post(
            reverse("account_login"), {"login": "assistente.cremona@example.org", "password": demo.DEMO_PASSWORD}
        )
        assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(demo_world):
    client = Client()
    client.post(reverse("account_login"), {"login": "assistente.cremona@example.org", "password": demo.DEMO_PASSWORD})
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_sends_an_email_to_a_known_address(demo_world, mailoutbox):
    response = Client().post(reverse("account_reset_password"), {"email": "assistente.cremona@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["assistente.cremona@example.org"]


def test_the_admin_login_goes_through_allauth():
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Behind the proxy: the limits count per client, not per proxy ---------------------------------------------------

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request the proxy forwards


def _through_proxy(client_ip: str) -> Client:
    # The proxy appends the address it was reached from to whatever X-Forwarded-For the client sent.
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.99, {client_ip}")


def test_behind_the_proxy_one_clients_failed_logins_do_not_lock_out_another_client(demo_world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what BEHIND_PROXY=1 sets (next test)
    attacker = _through_proxy("198.51.100.7")
    for attempt in range(25):  # beyond the 20 failures a minute allowed from one address
        attacker.post(reverse("account_login"), {"login": f"nessuno{attempt}@example.org", "password": "sbagliata"})
    refused = attacker.post(
        reverse("account_login"), {"login": demo.demo_email("assistente.cremona"), "password": demo.DEMO_PASSWORD}
    )
    assert "_auth_user_id" not in attacker.session and refused.status_code in (200, 429)
    colleague = _through_proxy("198.51.100.8")
    response = colleague.post(
        reverse("account_login"), {"login": demo.demo_email("coordinatore.cremona"), "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in colleague.session


def test_behind_the_proxy_more_than_30_people_log_in_within_a_minute(demo_world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for person in range(35):
        client = _through_proxy(f"198.51.100.{person + 1}")
        response = client.post(
            reverse("account_login"), {"login": demo.demo_email("assistente.cremona"), "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, person


def test_the_proxy_switch_trusts_one_proxy_for_the_client_address_and_nothing_without_it(tmp_path):
    from .test_settings import read_settings

    code = (
        "from django.conf import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    base = {"DEBUG": "0", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "a.example.org"}
    assert read_settings(tmp_path, code, **base).stdout.split() == ["0", "None"]
    assert read_settings(tmp_path, code, **base, BEHIND_PROXY="1").stdout.split() == ["1", "None"]
    two = read_settings(tmp_path, code, **base, BEHIND_PROXY="1", TRUSTED_PROXY_COUNT="2")
    assert two.stdout.split() == ["2", "None"]
    header = read_settings(tmp_path, code, **base, BEHIND_PROXY="1", TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert header.stdout.split() == ["1", "X-Real-IP"]


def test_a_request_through_fewer_proxies_than_configured_can_still_log_in(demo_world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2  # configured for two proxies; this request passed through one
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")
    response = client.post(
        reverse("account_login"), {"login": demo.demo_email("assistente.cremona"), "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
