"""Home is a dashboard per role: what the role can do, with real counts; the header shows and switches the role."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role, User

from . import factories as f

pytestmark = pytest.mark.django_db


def cards_of(client) -> dict:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {card.key: card.value for card in response.context["cards"]}


def test_coordinator_dashboard_counts_offices_people_and_pending_invitations(client_for):
    district = f.DistrictFactory()
    coordinator = f.coordinator(district=district)
    f.social_worker(office=f.OfficeFactory(district=district))
    f.social_worker(office=f.OfficeFactory(district=district))
    f.InvitationFactory(office=f.OfficeFactory(district=district))
    f.social_worker(office=f.OfficeFactory())  # another district: not counted
    cards = cards_of(client_for(coordinator))
    assert cards["offices"] == 3
    assert cards["people"] == 3  # two social workers and the coordinator
    assert cards["invitations"] == 1


def test_social_worker_dashboard_shows_her_office(client_for):
    office = f.OfficeFactory(name="Servizio Tutela Minori – Crema")
    worker = f.social_worker(office=office)
    f.social_worker(office=office)
    cards = cards_of(client_for(worker))
    assert cards["office"] == "Servizio Tutela Minori – Crema"
    assert cards["colleagues"] == 2


def test_a_funder_without_a_project_yet_sees_the_provinces_funded_and_no_people(client_for):
    province = f.ProvinceFactory(name="Provincia di Cremona")
    f.DistrictFactory(province=province)
    viewer = f.funder_viewer(funder=f.FunderFactory(provinces=[province]))
    response = client_for(viewer).get(reverse("home"))
    values = [card.value for card in response.context["cards"]]
    assert values == ["Provincia di Cremona"]
    assert "Persone" not in response.content.decode()


def test_a_user_without_a_role_is_told_to_ask_for_one(client_for):
    response = client_for(f.UserFactory()).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert "Non hai ancora un ruolo" in response.content.decode()


def test_the_header_shows_the_current_role_and_switches_to_another(client_for):
    worker = f.social_worker(office=f.OfficeFactory(name="Ufficio Alfa"))
    second = f.MembershipFactory(user=worker, role=Role.COORDINATOR, office=None, district=f.DistrictFactory())
    client = client_for(worker)
    page = client.get(reverse("home")).content.decode()
    assert "Ufficio Alfa" in page
    response = client.post(reverse("accounts:switch_role"), {"membership": second.pk})
    assert response.status_code == 302
    assert User.objects.get(pk=worker.pk).active_membership == second
    assert client.get(reverse("home")).context["actor"].role == Role.COORDINATOR


def test_nobody_can_switch_to_a_role_of_someone_else(client_for):
    worker = f.social_worker()
    foreign = Membership.objects.get(user=f.coordinator())
    client = client_for(worker)
    client.post(reverse("accounts:switch_role"), {"membership": foreign.pk})
    assert User.objects.get(pk=worker.pk).active_membership_id != foreign.pk
    assert client.get(reverse("home")).context["actor"].role == Role.SOCIAL_WORKER
    garbage = client.post(reverse("accounts:switch_role"), {"membership": "abc"})
    assert garbage.status_code == 302


def test_navigation_follows_the_role(client_for):
    coordinator_page = client_for(f.coordinator()).get(reverse("home")).content.decode()
    worker_page = client_for(f.social_worker()).get(reverse("home")).content.decode()
    assert reverse("accounts:people") in coordinator_page
    assert reverse("accounts:people") not in worker_page
