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
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_an_idle_session_is_logged_out(demo_world, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    client.post(reverse("account_login"), {"login": "assistente.cremona@example.org", "password": demo.DEMO_PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


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
