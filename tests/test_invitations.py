"""Province staff and coordinators invite people: an e-mail with a link to set the password creates the role."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from accounts.scoping import actor_for
from accounts.services import invitation_accept, invitation_create
from core.errors import DomainError, NotAllowed

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return f.DistrictFactory(name="Cremona")


@pytest.fixture
def office(district):
    return f.OfficeFactory(district=district, name="Servizio Tutela Minori – Cremona")


def invite_page(client, **data):
    return client.post(reverse("accounts:invite"), data)


def test_coordinator_invites_a_social_worker_who_receives_an_email_in_her_language(
    district, office, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(f.coordinator(district=district))
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_page(
            client, email="Nuova.Assistente@Example.org", role=Role.SOCIAL_WORKER, office=office.pk, language="en"
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nuova.assistente@example.org"
    assert invitation.sent_at is not None
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nuova.assistente@example.org"]
    assert "You are invited to Mediazione" in message.subject
    assert reverse("accounts:invitation_accept", args=[invitation.key]) in message.body


def test_the_email_is_not_sent_when_the_transaction_rolls_back(district, office, mailoutbox):
    from django.db import transaction

    coordinator = f.coordinator(district=district)
    with pytest.raises(RuntimeError), transaction.atomic():
        invitation_create(actor=actor_for(coordinator), email="x@example.org", role=Role.SOCIAL_WORKER, office=office)
        raise RuntimeError("rolled back")
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_accepting_sets_the_password_creates_the_membership_and_logs_in(district, office):
    invitation = f.InvitationFactory(office=office, email="nuova@example.org")
    client = Client()
    page = client.get(reverse("accounts:invitation_accept", args=[invitation.key]))
    assert page.status_code == 200
    response = client.post(
        reverse("accounts:invitation_accept", args=[invitation.key]),
        {
            "first_name": "Anna",
            "last_name": "Verdi",
            "password1": "girasole-di-maggio",
            "password2": "girasole-di-maggio",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nuova@example.org")
    assert user.check_password("girasole-di-maggio")
    assert user.memberships.get().office == office
    assert client.get(reverse("home")).context["actor"].role == Role.SOCIAL_WORKER
    # The link works once.
    again = Client().get(reverse("accounts:invitation_accept", args=[invitation.key]))
    assert "already accepted" in again.content.decode() or "già stato accettato" in again.content.decode()


def test_a_weak_password_is_refused_and_nothing_is_created(office):
    invitation = f.InvitationFactory(office=office, email="debole@example.org")
    response = Client().post(
        reverse("accounts:invitation_accept", args=[invitation.key]),
        {"first_name": "Anna", "last_name": "Verdi", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="debole@example.org").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_an_expired_invitation_cannot_be_accepted(office):
    invitation = f.InvitationFactory(office=office, expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError):
        invitation_accept(key=invitation.key, password="girasole-di-maggio")
    assert Membership.objects.count() == 0


def test_a_person_with_an_account_accepts_a_second_role_while_logged_in(district, office):
    existing = f.social_worker(office=office, email="doppio@example.org")
    invitation = f.InvitationFactory(email="doppio@example.org", role=Role.COORDINATOR, office=None, district=district)
    anonymous = Client().post(reverse("accounts:invitation_accept", args=[invitation.key]))
    assert anonymous.status_code == 200
    assert existing.memberships.count() == 1
    client = Client()
    client.force_login(existing)
    assert client.post(reverse("accounts:invitation_accept", args=[invitation.key])).status_code == 302
    assert set(existing.memberships.values_list("role", flat=True)) == {Role.SOCIAL_WORKER, Role.COORDINATOR}


def test_a_coordinator_cannot_invite_province_staff_or_into_another_district(district, office):
    coordinator = f.coordinator(district=district)
    other_office = f.OfficeFactory(district=f.DistrictFactory(province=district.province))
    actor = actor_for(coordinator)
    with pytest.raises(NotAllowed):
        invitation_create(actor=actor, email="a@example.org", role=Role.PROVINCE_STAFF, province=district.province)
    with pytest.raises(NotAllowed):
        invitation_create(actor=actor, email="a@example.org", role=Role.SOCIAL_WORKER, office=other_office)
    assert Invitation.objects.count() == 0


def test_a_forged_office_in_the_form_gets_a_message_not_a_500(district, office):
    client = Client()
    client.force_login(f.coordinator(district=district))
    foreign = f.OfficeFactory()
    response = invite_page(client, email="a@example.org", role=Role.SOCIAL_WORKER, office=foreign.pk, language="it")
    assert response.status_code == 200
    assert response.context["form"].errors["office"]
    assert Invitation.objects.count() == 0


def test_a_mediator_needs_districts_of_the_provider_province(district):
    provider = f.ProviderFactory(province=district.province)
    staff = f.province_staff(province=district.province)
    with pytest.raises(DomainError):
        invitation_create(actor=actor_for(staff), email="m@example.org", role=Role.MEDIATOR, provider=provider)
    invitation = invitation_create(
        actor=actor_for(staff), email="m@example.org", role=Role.MEDIATOR, provider=provider, districts=[district]
    )
    assert list(invitation.districts.all()) == [district]


def test_inviting_someone_to_a_role_they_already_have_is_refused(office):
    user = f.social_worker(office=office, email="gia@example.org")
    with pytest.raises(DomainError):
        invitation_create(
            actor=actor_for(f.coordinator(district=office.district)),
            email=user.email,
            role=Role.SOCIAL_WORKER,
            office=office,
        )


def test_a_withdrawn_invitation_no_longer_works(district, office):
    client = Client()
    client.force_login(f.coordinator(district=district))
    invitation = f.InvitationFactory(office=office)
    client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    with pytest.raises(DomainError):
        invitation_accept(key=invitation.key, password="girasole-di-maggio")


def test_ending_a_role_removes_access_but_keeps_the_person(district, office):
    coordinator = f.coordinator(district=district)
    worker = f.social_worker(office=office)
    client = Client()
    client.force_login(coordinator)
    membership = worker.memberships.get()
    client.post(reverse("accounts:membership_deactivate", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.is_active is False
    worker_client = Client()
    worker_client.force_login(worker)
    assert worker_client.get(reverse("home")).context["actor"].role is None
