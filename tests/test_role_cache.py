"""A person's roles are read once and kept in the shared cache (accounts/role_cache.py), and every change to them, or
to the organisations they name, is seen on the next page: a role ended, a district renamed or added to a mediator,
a token Redis lost. The header (mediazione/templatetags/frame.py), kept in the process per person and page, carries
a working CSRF token and the address of the page it is on."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts import role_cache, scoping
from accounts.models import Role
from accounts.services import membership_deactivate

from . import factories as f
from .conftest import login_client
from .test_fixed_queries import EMPTY_PAGE, get, tables

pytestmark = pytest.mark.django_db


def warm(client) -> None:
    assert client.get(reverse(EMPTY_PAGE)).status_code == 200


def test_the_second_page_does_not_read_the_memberships_again():
    client = login_client(f.social_worker())
    warm(client)
    response, queries = get(client, reverse(EMPTY_PAGE))
    assert response.status_code == 200 and "accounts_membership" not in tables(queries)


def test_a_role_ended_by_the_coordinator_is_gone_on_the_persons_next_page():
    district = f.DistrictFactory()
    coordinator = f.coordinator(district=district)
    worker = f.social_worker(office=f.OfficeFactory(district=district))
    second = f.MembershipFactory(user=worker, role=Role.COORDINATOR, office=None, district=district)
    client = login_client(worker)
    warm(client)
    assert len(client.get(reverse(EMPTY_PAGE)).context["my_memberships"]) == 2
    membership_deactivate(actor=scoping.actor_for(coordinator), membership=second)
    response, queries = get(client, reverse(EMPTY_PAGE))
    assert [m.role for m in response.context["my_memberships"]] == [Role.SOCIAL_WORKER]
    assert "accounts_membership" in tables(queries)


def test_a_renamed_district_shows_in_the_header_on_the_next_page():
    district = f.DistrictFactory(name="Ambito di Prova")
    client = login_client(f.coordinator(district=district))
    warm(client)
    assert "Ambito di Prova" in client.get(reverse(EMPTY_PAGE)).content.decode()
    district.name = "Ambito Rinominato"
    district.save()
    html = client.get(reverse(EMPTY_PAGE)).content.decode()
    assert "Ambito Rinominato" in html and "Ambito di Prova" not in html


def test_a_district_added_to_a_mediator_is_reached_on_the_next_page():
    provider = f.ProviderFactory()
    first, second = f.DistrictFactory(province=provider.province), f.DistrictFactory(province=provider.province)
    user = f.mediator(provider=provider, districts=[first])
    client = login_client(user)
    warm(client)
    assert client.get(reverse(EMPTY_PAGE)).context["actor"].district_ids == {first.pk}
    user.memberships.get().districts.add(second)
    assert client.get(reverse(EMPTY_PAGE)).context["actor"].district_ids == {first.pk, second.pk}


def test_a_token_redis_lost_makes_the_next_page_read_the_memberships_again():
    user = f.social_worker()
    client = login_client(user)
    warm(client)
    caches["shared"].delete(role_cache.ORGANISATIONS)
    response, queries = get(client, reverse(EMPTY_PAGE))
    assert response.status_code == 200 and "accounts_membership" in tables(queries)
    response, queries = get(client, reverse(EMPTY_PAGE))
    assert "accounts_membership" not in tables(queries)


def test_the_cache_keeps_no_password_hash():
    user = f.social_worker()
    client = login_client(user)
    warm(client)
    entry = caches["shared"].get(role_cache._entry_key(user))
    assert entry is not None
    kept = entry[1]
    assert kept and all("user" not in membership._state.fields_cache for membership in kept)


def test_the_kept_header_switches_roles_with_a_valid_csrf_token():
    user = f.social_worker()
    second = f.MembershipFactory(user=user, role=Role.COORDINATOR, office=None, district=f.DistrictFactory())
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    for _ in range(2):  # the second header comes from the process's table
        html = client.get(reverse(EMPTY_PAGE)).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(reverse("accounts:switch_role"), {"membership": second.pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(reverse(EMPTY_PAGE)).context["actor"].role == Role.COORDINATOR


def test_the_kept_header_s_language_switch_comes_back_to_the_page_it_is_on():
    client = login_client(f.social_worker())
    warm(client)
    response = client.get(reverse(EMPTY_PAGE) + '?q="<b>"&x=1')
    html = response.content.decode()
    assert 'name="next" value="/accounts/password/reset/?q=%22%3Cb%3E%22&amp;x=1"' in html
    html = client.get(reverse("notifications:list")).content.decode()
    assert f'name="next" value="{reverse("notifications:list")}"' in html
    link = html.split('data-testid="notifications-link"', 1)
    assert 'aria-current="page"' in link[1].split(">", 1)[0]
