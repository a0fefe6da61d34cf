"""403, 404 and 500 pages in the portal's look, in the user's language."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from . import factories as f

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("rotto/", broken_view)]
handler500 = "mediazione.views.server_error"  # the project's handler, as in mediazione/urls.py


def test_a_missing_page_answers_404_in_the_portal_look():
    response = Client().get("/non-esiste/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Pagina non trovata" in content
    assert "it-header-wrapper" in content


def test_a_page_of_another_role_answers_403_with_an_explanation(client_for):
    response = client_for(f.social_worker()).get("/persone/")
    assert response.status_code == 403
    assert "cambia ruolo" in response.content.decode().lower()


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_answers_a_plain_500_page_in_italian():
    response = Client(raise_request_exception=False).get("/rotto/")
    assert response.status_code == 500
    assert "Si è verificato un errore" in response.content.decode()
