"""The pages where province staff make and revoke the API tokens of their province's offices and districts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from api.models import ApiToken

from . import factories as f
from .api_support import ApiClient, token_for
from .conftest import login_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return f.province_staff()


def test_province_staff_make_a_token_and_see_its_key_once(staff):
    province = staff.memberships.get().province
    office = f.OfficeFactory(district=f.DistrictFactory(province=province))
    client = login_client(staff)
    made = client.post(
        reverse("api_tokens:list"),
        {"name": "Cartella sociale Comune di Crema", "role": Role.SOCIAL_WORKER, "office": office.pk, "days": 90},
    )
    assert made.status_code == 200
    key = made.context["key"]
    assert key in made.content.decode() and "Copia la chiave" in made.content.decode()
    assert made["Cache-Control"].startswith("max-age=0")
    listed = client.get(reverse("api_tokens:list")).content.decode()
    assert "Cartella sociale Comune di Crema" in listed and key not in listed
    assert ApiClient(key).get(reverse("api:requests")).status_code == 200


def test_a_token_for_an_organisation_of_another_province_is_not_even_offered(staff):
    far_office = f.OfficeFactory()
    client = login_client(staff)
    refused = client.post(
        reverse("api_tokens:list"), {"name": "x", "role": Role.SOCIAL_WORKER, "office": far_office.pk, "days": 30}
    )
    assert refused.status_code == 200 and "office" in refused.context["form"].errors
    assert not ApiToken.objects.exists()


def test_choosing_a_role_without_its_organisation_is_a_message_on_the_field(staff):
    refused = login_client(staff).post(reverse("api_tokens:list"), {"name": "x", "role": Role.COORDINATOR, "days": 30})
    assert refused.context["form"].errors["district"] == ["Scegli l'organizzazione per cui agisce il sistema."]
    assert not ApiToken.objects.exists()


def test_revoking_a_token_closes_the_api_to_it_at_once(staff):
    province = staff.memberships.get().province
    office = f.OfficeFactory(district=f.DistrictFactory(province=province))
    token, key = token_for(role=Role.SOCIAL_WORKER, office=office, maker=staff)
    response = login_client(staff).post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == staff and not token.user.is_active
    assert ApiClient(key).get(reverse("api:requests")).status_code == 401


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_of_tokens_runs_the_same_queries_for_3_and_30_tokens(staff, rows, django_assert_num_queries):
    province = staff.memberships.get().province
    office = f.OfficeFactory(district=f.DistrictFactory(province=province))
    for n in range(rows):
        token_for(role=Role.SOCIAL_WORKER, office=office, maker=staff, name=f"Sistema {n}")
    client = login_client(staff)
    client.get(reverse("api_tokens:list"))
    # The session's user, the tokens with their makers, the form's menus (offices, districts, provinces, mediators).
    with django_assert_num_queries(6):
        response = client.get(reverse("api_tokens:list"))
    assert response.content.decode().count("mdz_") == rows
