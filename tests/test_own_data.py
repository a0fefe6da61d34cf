"""A person's own data: a mediator downloads what the portal holds about them (and nobody else's), and administrators
erase a mediator's personal data while the counts stay for reports. Both are recorded in the read audit."""

import json
from datetime import timedelta

import pytest
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role
from audit.models import ReadEvent
from mediators.models import Absence, Mediator, MediatorLanguage, Qualification, Training
from notifications.models import Notification
from privacy.models import MediatorErasure
from scheduling.models import Appointment, Offer

from . import factories as f
from . import report_factories as rf
from .conftest import login_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A mediator with a full profile, two sessions (one reported), an offer declined, a notification; and a
    colleague in the same district with their own appointment and notification."""
    world = rf.make_world(sessions=2)
    m = world.mediator
    Mediator.objects.filter(pk=m.pk).update(
        first_name="Amina", last_name="Benali", phone="+39 333 1234567", coordinator_notes="Nota interna del distretto"
    )
    m.refresh_from_db()
    MediatorLanguage.objects.create(mediator=m, code="fra", variant="", level="fluent")
    Training.objects.create(mediator=m, title="Corso di mediazione in tribunale", date="2024-03-01", hours=12)
    Qualification.objects.create(mediator=m, title="Attestato regionale", issued_by="Regione Lombardia")
    f.SlotFactory(mediator=m)
    Absence.objects.create(
        mediator=m, start_date=timezone.localdate(), end_date=timezone.localdate() + timedelta(days=3), reason="Ferie"
    )
    rf.write(world, world.appointments[0])
    other_request = f.MediationRequestFactory(office=world.office, status="matching", case_code="TM-ALTRO-1")
    Offer.objects.create(
        request=other_request,
        mediator=m,
        status=Offer.Status.DECLINED,
        release_at=timezone.now() - timedelta(days=3),
        expires_at=timezone.now() - timedelta(days=2),
        answered_at=timezone.now() - timedelta(days=2),
        decline_reason="Impegnata quel giorno",
        created_by=world.coordinator,
    )
    Notification.objects.create(recipient=world.mediator_user, request=world.request, kind="offer")
    colleague_user = f.mediator(provider=m.provider, districts=[world.district], email="collega@example.org")
    colleague = f.MediatorFactory(
        provider=m.provider,
        districts=[world.district],
        user=colleague_user,
        email="collega@example.org",
        first_name="Olena",
        last_name="Kovalenko",
    )
    secret = f.MediationRequestFactory(office=world.office, status="scheduled", case_code="TM-SEGRETO-9")
    Appointment.objects.create(
        request=secret,
        mediator=colleague,
        starts_at=timezone.now() + timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=5, hours=1),
        place="Via Segreta 1",
        created_by=world.coordinator,
    )
    Notification.objects.create(recipient=colleague_user, request=secret, kind="offer")
    world.colleague = colleague
    return world


def download(user) -> dict:
    response = login_client(user).get(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="i-miei-dati-')
    return json.loads(response.content)


# --- Own data ---------------------------------------------------------------------------------------------------------


def test_a_mediator_downloads_their_profile_languages_trainings_and_availability(world):
    data = download(world.mediator_user)

    assert data["account"]["email"] == world.mediator_user.email
    assert data["profile"]["first_name"] == "Amina"
    assert data["profile"]["phone"] == "+39 333 1234567"
    assert {x["code"] for x in data["languages"]} == {"ara", "fra"}
    assert data["trainings"][0]["title"] == "Corso di mediazione in tribunale"
    assert data["qualifications"][0]["issued_by"] == "Regione Lombardia"
    assert data["availability"] == [{"weekday": 0, "from": "09:00", "to": "13:00"}]
    assert data["absences"][0]["reason"] == "Ferie"


def test_the_download_has_their_appointments_offers_reports_and_notifications(world):
    data = download(world.mediator_user)

    assert [a["case_code"] for a in data["appointments"]] == [world.request.case_code] * 2
    assert set(data["appointments"][0]) == {"starts_at", "ends_at", "place", "case_code", "status"}
    assert data["offers"] == [
        {
            "case_code": "TM-ALTRO-1",
            "status": "declined",
            "sent_at": data["offers"][0]["sent_at"],
            "answer_by": data["offers"][0]["answer_by"],
            "answered_at": data["offers"][0]["answered_at"],
            "decline_reason": "Impegnata quel giorno",
        }
    ]
    assert len(data["session_reports"]) == 1
    assert data["session_reports"][0]["travel_km"] == "12.5"
    assert data["session_reports"][0]["written_by_me"] is True
    assert [n["kind"] for n in data["notifications"]] == ["offer"]


def test_the_download_holds_nobody_else_s_data(world):
    text = json.dumps(download(world.mediator_user))

    for foreign in ["Olena", "Kovalenko", "collega@example.org", "TM-SEGRETO-9", "Via Segreta"]:
        assert foreign not in text
    # The family's side of a report and the district's working notes are not the mediator's data.
    assert "Il padre chiede" not in text
    assert "adults_present" not in text
    assert "Nota interna del distretto" not in text
    assert world.coordinator.email not in text
    assert world.social_worker.email not in text


def test_the_download_is_recorded_in_the_read_audit(world):
    download(world.mediator_user)

    event = ReadEvent.objects.get()
    assert (event.user, event.role, event.kind) == (world.mediator_user, "mediator", ReadEvent.Kind.OWN_DATA)
    assert (event.object_type, event.object_id) == ("mediators.mediator", world.mediator.pk)
    assert event.province_id == world.province.pk


def test_the_profile_page_offers_the_download_to_the_mediator_only(world):
    url = world.mediator.get_absolute_url()
    button = reverse("privacy:my_data")

    assert button in login_client(world.mediator_user).get(url).content.decode()
    assert button not in login_client(world.coordinator).get(url).content.decode()


@pytest.mark.parametrize("role", ["social_worker", "coordinator", "province_staff", "funder_viewer"])
def test_other_roles_have_no_own_data_download(role):
    assert login_client(getattr(f, role)()).get(reverse("privacy:my_data")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login():
    assert Client().get(reverse("privacy:my_data")).status_code == 302


# --- Erasure ----------------------------------------------------------------------------------------------------------


def counts(mediator) -> dict:
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    return {
        "appointments": list(
            Appointment.objects.filter(mediator=mediator).values_list("status").annotate(n=Count("pk")).order_by()
        ),
        "hours": Appointment.objects.filter(mediator=mediator).aggregate(t=Sum(duration))["t"],
        "reports": mediator.appointments.filter(report__isnull=False).count(),
        "languages": sorted(mediator.languages.values_list("code", "variant")),
        "countries": sorted(mediator.countries.values_list("code", flat=True)),
        "training_hours": mediator.trainings.aggregate(t=Sum("hours"))["t"],
        "districts": sorted(mediator.districts.values_list("pk", flat=True)),
        "offers": list(mediator.offers.values_list("status", flat=True)),
        "provider": mediator.provider_id,
        "gender": mediator.gender,
    }


def erase(world, admin=None):
    admin = admin or f.administrator()
    return login_client(admin).post(reverse("privacy:erase_mediator", args=[world.mediator.pk]), {"confirm": "yes"})


def test_an_administrator_sees_what_will_be_erased_and_what_stays(world):
    response = login_client(f.administrator()).get(reverse("privacy:erase_mediator", args=[world.mediator.pk]))

    assert response.status_code == 200
    assert f"Mediatore cancellato {world.mediator.pk}" in response.content.decode()
    assert Mediator.objects.get(pk=world.mediator.pk).first_name == "Amina"


def test_erasing_replaces_the_name_and_removes_contacts_and_free_text(world):
    response = erase(world)

    assert response.status_code == 302
    m = Mediator.objects.get(pk=world.mediator.pk)
    assert m.full_name == f"Mediatore cancellato {m.pk}"
    assert (m.phone, m.cultural_areas, m.coordinator_notes, m.calendar_token) == ("", "", "", None)
    assert m.email.endswith(".invalid") and "amina" not in m.email.lower()
    assert not m.is_active
    assert set(Training.objects.filter(mediator=m).values_list("title", "body")) == {("", "")}
    assert set(Qualification.objects.filter(mediator=m).values_list("title", "issued_by")) == {("", "")}
    assert set(Absence.objects.filter(mediator=m).values_list("reason", flat=True)) == {""}
    assert set(Offer.objects.filter(mediator=m).values_list("decline_reason", flat=True)) == {""}


def test_erasing_deactivates_the_account_and_replaces_its_email(world):
    old_email = world.mediator_user.email
    Invitation.objects.create(
        email=old_email,
        first_name="Amina",
        role=Role.MEDIATOR,
        provider=world.mediator.provider,
        key="chiave-" + "y" * 40,
        invited_by=world.coordinator,
        expires_at=timezone.now() + timedelta(days=7),
    )

    erase(world)

    user = type(world.mediator_user).objects.get(pk=world.mediator_user.pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.email != old_email and user.email.endswith(".invalid")
    assert (user.first_name, user.last_name) == ("", "")
    assert not Membership.objects.filter(user=user, is_active=True).exists()
    assert not Invitation.objects.filter(email__iexact=old_email).exists()
    assert login_client(user).get(reverse("home")).status_code == 302


def test_erasing_keeps_the_counts_for_reports(world):
    before = counts(world.mediator)
    assert before["hours"] == timedelta(hours=2)

    erase(world)

    assert counts(Mediator.objects.get(pk=world.mediator.pk)) == before


def test_erasing_is_recorded_in_the_read_audit_and_marked_once(world):
    admin = f.administrator()
    erase(world, admin)

    event = ReadEvent.objects.get(kind=ReadEvent.Kind.ERASURE)
    assert (event.user, event.role, event.object_id) == (admin, "administrator", world.mediator.pk)
    assert MediatorErasure.objects.get(mediator=world.mediator).by == admin

    again = erase(world, admin)
    assert again.status_code == 400
    assert "già stati cancellati" in again.content.decode()
    assert MediatorErasure.objects.count() == 1


def test_without_the_confirmation_nothing_is_erased(world):
    response = login_client(f.administrator()).post(reverse("privacy:erase_mediator", args=[world.mediator.pk]), {})

    assert response.status_code == 400
    assert Mediator.objects.get(pk=world.mediator.pk).first_name == "Amina"
    assert not MediatorErasure.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "province_staff", "mediator"])
def test_only_administrators_erase(world, role):
    user = {"coordinator": world.coordinator, "mediator": world.mediator_user}.get(role) or f.province_staff(
        province=world.province
    )
    url = reverse("privacy:erase_mediator", args=[world.mediator.pk])

    assert login_client(user).get(url).status_code == 403
    assert login_client(user).post(url, {"confirm": "yes"}).status_code == 403
    assert Mediator.objects.get(pk=world.mediator.pk).first_name == "Amina"


def test_the_service_refuses_anyone_but_an_administrator(world):
    from accounts.scoping import actor_for
    from core.errors import NotAllowed
    from privacy.services import mediator_erase

    with pytest.raises(NotAllowed):
        mediator_erase(actor=actor_for(world.coordinator), mediator=world.mediator, path="/")
    assert Mediator.objects.get(pk=world.mediator.pk).first_name == "Amina"


def test_the_profile_page_offers_erasure_to_administrators_only(world):
    url = world.mediator.get_absolute_url()
    button = reverse("privacy:erase_mediator", args=[world.mediator.pk])

    assert button in login_client(f.administrator()).get(url).content.decode()
    assert button not in login_client(world.coordinator).get(url).content.decode()
