"""Italian by default, English when asked, whatever the browser says."""

import pytest
from django.test import Client
from django.urls import reverse

from . import factories as f

pytestmark = pytest.mark.django_db


def test_login_page_is_in_italian_by_default():
    response = Client().get(reverse("account_login"))
    assert response["Content-Language"] == "it"
    assert '<html lang="it">' in response.content.decode()
    assert "Accedi" in response.content.decode()


def test_an_english_browser_still_gets_italian():
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("account_login"))
    assert response["Content-Language"] == "it"


def test_the_language_switch_gives_english():
    client = Client()
    client.post(reverse("accounts:set_language"), {"language": "en", "next": reverse("account_login")})
    response = client.get(reverse("account_login"))
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_the_switch_is_remembered_in_the_profile_of_a_logged_in_user():
    user = f.social_worker()
    client = Client()
    client.force_login(user)
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    # A new browser (no cookie) uses the language of the profile.
    other = Client()
    other.force_login(user)
    assert other.get(reverse("home"))["Content-Language"] == "en"


def test_an_unknown_language_is_ignored():
    client = Client()
    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})
    assert client.get(reverse("account_login"))["Content-Language"] == "it"
