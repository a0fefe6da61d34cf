"""Creating and editing mediators: coordinators and province staff edit profiles; a mediator keeps their own
contacts, availability and absences. Bad input gets a message and saves nothing."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from mediators.models import Absence, AvailabilitySlot, Mediator, QualificationExpiryNotice
from mediators.services import qualification_expiry_notify

from . import factories as f

pytestmark = pytest.mark.django_db


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def profile_data(provider, districts, **overrides):
    data = {
        "provider": provider.pk,
        "districts": [d.pk for d in districts],
        "first_name": "Fatima",
        "last_name": "Zahra",
        "gender": "female",
        "email": "fatima.zahra@example.org",
        "phone": "+39 333 1234567",
        "max_weekly_hours": "20",
        "hourly_rate": "21.50",
        "travel_rate": "0,35",
        "is_active": "on",
        "mode_in_person": "on",
        "exp_child_protection": "on",
        "countries": ["MA", "DZ"],
        **management("languages", 2),
        "languages-0-code": "ara",
        "languages-0-variant": "Darija marocchina",
        "languages-0-level": "mother_tongue",
        "languages-1-code": "fra",
        "languages-1-level": "fluent",
        **management("trainings", 1),
        "trainings-0-title": "Mediazione e tutela minori",
        "trainings-0-body": "Provincia di Cremona",
        "trainings-0-date": "2025-03-10",
        "trainings-0-hours": "16",
        **management("qualifications", 0),
    }
    data.update(overrides)
    return data


@pytest.fixture
def area():
    province = f.ProvinceFactory(slug="cremona")
    cremona = f.DistrictFactory(province=province, name="Cremona")
    crema = f.DistrictFactory(province=province, name="Crema")
    return {"province": province, "cremona": cremona, "crema": crema, "provider": f.ProviderFactory(province=province)}


def test_a_coordinator_adds_a_mediator_with_languages_countries_and_trainings(area, client_for):
    client = client_for(f.coordinator(district=area["cremona"]))
    response = client.post(reverse("mediators:create"), profile_data(area["provider"], [area["cremona"]]))
    mediator = Mediator.objects.get()
    assert response.status_code == 302
    assert response["Location"] == mediator.get_absolute_url()
    assert [(x.code, x.variant, x.level) for x in mediator.languages.order_by("code")] == [
        ("ara", "Darija marocchina", "mother_tongue"),
        ("fra", "", "fluent"),
    ]
    assert sorted(c.code for c in mediator.countries.all()) == ["DZ", "MA"]
    assert mediator.trainings.get().hours == 16
    assert str(mediator.travel_rate) == "0.35"
    page = client.get(mediator.get_absolute_url()).content.decode()
    assert "Arabo" in page and "Darija marocchina" in page and "Marocco" in page


def test_a_bad_profile_gets_messages_and_saves_nothing(area, client_for):
    client = client_for(f.coordinator(district=area["cremona"]))
    data = profile_data(
        area["provider"],
        [area["cremona"]],
        email="non-una-mail",
        hourly_rate="-3",
        **{"languages-0-code": "xxx", "trainings-0-date": "31/02/2025"},
    )
    response = client.post(reverse("mediators:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"email", "hourly_rate"}
    assert response.context["formsets"]["languages"].errors[0]["code"]
    assert response.context["formsets"]["trainings"].errors[0]["date"]
    assert Mediator.objects.count() == 0


def test_a_coordinator_cannot_place_a_mediator_in_another_district(area, client_for):
    client = client_for(f.coordinator(district=area["cremona"]))
    response = client.post(reverse("mediators:create"), profile_data(area["provider"], [area["crema"]]))
    assert response.status_code == 200
    assert response.context["form"].errors["districts"]
    assert Mediator.objects.count() == 0


def test_an_email_already_on_the_roster_is_refused_with_a_message(area, client_for):
    f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], email="fatima.zahra@example.org")
    client = client_for(f.coordinator(district=area["cremona"]))
    response = client.post(reverse("mediators:create"), profile_data(area["provider"], [area["cremona"]]))
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert Mediator.objects.count() == 1


def test_editing_keeps_the_districts_a_coordinator_cannot_see(area, client_for):
    mediator = f.MediatorFactory(
        provider=area["provider"], districts=[area["cremona"], area["crema"]], email="fatima.zahra@example.org"
    )
    client = client_for(f.coordinator(district=area["cremona"]))
    response = client.post(
        reverse("mediators:edit", args=[mediator.pk]),
        profile_data(area["provider"], [area["cremona"]], last_name="Zahra-Bennani"),
    )
    assert response.status_code == 302
    mediator.refresh_from_db()
    assert mediator.last_name == "Zahra-Bennani"
    assert set(mediator.districts.all()) == {area["cremona"], area["crema"]}


def test_a_mediator_keeps_availability_and_absences_but_not_the_profile(area, client_for):
    user = f.mediator(provider=area["provider"], districts=[area["cremona"]])
    mediator = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], user=user)
    client = client_for(user)
    data = {
        **management("slots", 2),
        "slots-0-weekday": "0",
        "slots-0-start_time": "09:00",
        "slots-0-end_time": "13:00",
        "slots-1-weekday": "3",
        "slots-1-start_time": "14:00",
        "slots-1-end_time": "18:00",
        **management("absences", 1),
        "absences-0-start_date": "2026-12-24",
        "absences-0-end_date": "2027-01-06",
        "absences-0-reason": "Ferie",
    }
    response = client.post(reverse("mediators:availability", args=[mediator.pk]), data)
    assert response.status_code == 302
    assert AvailabilitySlot.objects.filter(mediator=mediator).count() == 2
    assert Absence.objects.get(mediator=mediator).end_date == date(2027, 1, 6)
    assert client.get(reverse("mediators:edit", args=[mediator.pk])).status_code == 403
    contacts = client.post(
        reverse("mediators:contacts", args=[mediator.pk]), {"email": "nuova@example.org", "phone": "0372 123"}
    )
    assert contacts.status_code == 302
    mediator.refresh_from_db()
    assert (mediator.email, mediator.phone) == ("nuova@example.org", "0372 123")


def test_overlapping_slots_or_a_backwards_absence_are_refused_and_nothing_changes(area, client_for):
    mediator = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]])
    f.SlotFactory(mediator=mediator, weekday=4)
    client = client_for(f.coordinator(district=area["cremona"]))
    overlapping = {
        **management("slots", 2),
        "slots-0-weekday": "0",
        "slots-0-start_time": "09:00",
        "slots-0-end_time": "13:00",
        "slots-1-weekday": "0",
        "slots-1-start_time": "12:00",
        "slots-1-end_time": "15:00",
        **management("absences", 0),
    }
    response = client.post(reverse("mediators:availability", args=[mediator.pk]), overlapping)
    assert response.status_code == 200
    assert list(AvailabilitySlot.objects.filter(mediator=mediator).values_list("weekday", flat=True)) == [4]
    backwards = {
        **management("slots", 0),
        **management("absences", 1),
        "absences-0-start_date": "2026-12-24",
        "absences-0-end_date": "2026-12-20",
    }
    response = client.post(reverse("mediators:availability", args=[mediator.pk]), backwards)
    assert response.status_code == 200
    assert response.context["absences"].errors[0]["end_date"]
    assert AvailabilitySlot.objects.filter(mediator=mediator).count() == 1


def test_expiring_qualifications_reach_the_dashboard_and_the_coordinators_once(area, client_for):
    mediator = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]], last_name="Scadente")
    qualification = f.QualificationFactory(mediator=mediator, title="Attestato regionale")
    f.QualificationFactory(mediator=mediator, title="Lontana", expires_on=date(2099, 1, 1))
    coordinator = f.coordinator(district=area["cremona"])
    other_district = f.coordinator(district=area["crema"])
    home = client_for(coordinator).get("/")
    cards = {c.key: c for c in home.context["cards"]}
    assert cards["expiring_qualifications"].value == 1
    assert [q.title for q in home.context["expiring"]] == ["Attestato regionale"]
    assert "Attestato regionale" in home.content.decode()
    from django.utils import timezone

    assert qualification_expiry_notify(today=timezone.localdate()) == 1
    assert mail.outbox[0].to == [coordinator.email]
    assert other_district.email not in mail.outbox[0].to
    assert "Attestato regionale" in mail.outbox[0].body
    assert qualification_expiry_notify(today=timezone.localdate()) == 0
    assert QualificationExpiryNotice.objects.get(qualification=qualification).district == area["cremona"]


def test_the_daily_schedule_runs_the_expiry_notice_task(area, settings):
    from mediators.tasks import notify_expiring_qualifications_task
    from mediazione.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["notify-expiring-qualifications"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {7}
    mediator = f.MediatorFactory(provider=area["provider"], districts=[area["cremona"]])
    f.QualificationFactory(mediator=mediator)
    f.coordinator(district=area["cremona"])
    assert notify_expiring_qualifications_task.delay().get() == 1
    assert len(mail.outbox) == 1
