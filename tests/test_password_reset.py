"""Password reset: the e-mails speak for Mediazione and invite nobody to sign up; a reset through the e-mail proves the
address, so that an invited coordinator who resets the password can still set up the authenticator app."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import demo
from accounts.scoping import actor_for
from accounts.services import invitation_accept, invitation_create

from .test_mfa import PRODUCTION_ROLES, activate_totp

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "una-frase-nuova-e-poco-comune"


def _invited_coordinator(demo_world) -> str:
    """A coordinator of Cremona who joined through an invitation (and never verified the address otherwise)."""
    users = demo_world["users"]
    district = users["coordinatore.cremona"].memberships.get().district
    invitation = invitation_create(
        actor=actor_for(users["provincia.cremona"]),
        email="nuova.coordinatrice@example.org",
        role="coordinator",
        district=district,
    )
    invitation_accept(key=invitation.key, password="una-prima-frase-lunga")
    return invitation.email


def _reset(client: Client, email: str, password: str = NEW_PASSWORD):
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": email})
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    form = client.get(path, follow=True)
    return client.post(form.redirect_chain[-1][0] if form.redirect_chain else path,
                       {"password1": password, "password2": password})  # fmt: skip


def test_an_invited_coordinator_who_resets_the_password_can_still_set_up_the_authenticator_app(demo_world, settings):
    settings.MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    email = _invited_coordinator(demo_world)
    # Invited before invitations recorded the address: asking for the reset records it unverified.
    EmailAddress.objects.filter(email=email).delete()
    _reset(Client(), email)
    assert not EmailAddress.objects.filter(email=email, verified=False).exists()
    client = Client()
    login = client.post(reverse("account_login"), {"login": email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.post(reverse("account_reauthenticate"), {"password": NEW_PASSWORD}).status_code == 302
    activate_totp(client)  # refused with "verify your e-mail address" before the fix
    assert client.get(reverse("home")).status_code == 200


def test_an_accepted_invitation_verifies_the_address(demo_world):
    email = _invited_coordinator(demo_world)
    assert EmailAddress.objects.get(email=email).verified


def test_a_coordinator_without_an_app_can_open_the_pages_that_verify_the_address(demo_world, settings):
    from .conftest import login_client

    settings.MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    client = login_client(demo_world["users"]["coordinatore.cremona"])
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")  # the rule still holds
    assert client.get(reverse("account_email")).status_code == 200
    confirm = client.get(reverse("account_confirm_email", args=["no-such-key"]))
    assert confirm.status_code in (200, 404) and confirm.get("Location") != reverse("mfa_activate_totp")


# --- The reset e-mails ------------------------------------------------------------------------------------------------


def _reset_mail(email: str, language: str) -> str:
    from django.conf import settings

    mail.outbox.clear()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post(reverse("account_reset_password"), {"email": email})
    assert len(mail.outbox) == 1
    return mail.outbox[0].body


@pytest.mark.parametrize(("language", "greeting"), [("it", "Ciao da Mediazione!"), ("en", "Hello from Mediazione!")])
def test_the_reset_e_mail_greets_from_mediazione_not_from_the_host(demo_world, language, greeting):
    body = _reset_mail(demo.demo_email("coordinatore.cremona"), language)
    assert body.startswith(greeting)
    assert "testserver" not in body.split("\n")[0]  # the host of the request, before
    assert "/accounts/password/reset/key/" in body


@pytest.mark.parametrize(("language", "ask"), [("it", "coordinatore"), ("en", "coordinator")])
def test_the_unknown_account_e_mail_sends_nobody_to_a_sign_up_page(demo_world, language, ask):
    body = _reset_mail("sconosciuta@example.org", language)
    assert body.startswith("Ciao da Mediazione!" if language == "it" else "Hello from Mediazione!")
    assert "/accounts/signup/" not in body and "sconosciuta@example.org" in body
    assert ask in body
