"""How each person hears of each kind of notification: at once by e-mail, in the morning's summary, or in the portal
only; the defaults of each role; the page where one chooses; the daily summary (one e-mail per person per day, none
when there is nothing, never twice, in the recipient's language and date conventions)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.scoping import actor_for
from core.errors import DomainError
from notifications import preferences
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.services import notification_preferences_save, notification_send_digests
from requests_app import services as request_services
from requests_app.models import Status
from scheduling import services as scheduling_services

from . import factories as f
from .test_query_counts import FRAME

ROME = ZoneInfo("Europe/Rome")
MONDAY = datetime(2026, 12, 7, 15, 0, tzinfo=ROME)
TUESDAY_MORNING = datetime(2026, 12, 8, 7, 0, tzinfo=ROME)
K = Notification.Kind


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    province = f.ProvinceFactory(slug="cremona")
    district = f.DistrictFactory(province=province, name="Cremona")
    office = f.OfficeFactory(district=district, name="Tutela Minori Cremona")
    provider = f.ProviderFactory(province=province)
    mediator_user = f.mediator(provider=provider, districts=[district], first_name="Amina", last_name="Benali")
    return {
        "district": district,
        "office": office,
        "coordinator_it": f.coordinator(district=district, language="it", first_name="Dario"),
        "coordinator_en": f.coordinator(district=district, language="en", first_name="Carla"),
        "social_worker": f.social_worker(office=office, language="en", first_name="Sara"),
        "mediator_user": mediator_user,
        "mediator": f.MediatorFactory(
            provider=provider, districts=[district], user=mediator_user, email=mediator_user.email, languages=["ara"]
        ),
    }


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def new_request(world, status=Status.DRAFT, **fields):
    return f.MediationRequestFactory(
        office=world["office"], requester=world["social_worker"], status=status, languages=["ara"], **fields
    )


def submit(world, on_commit, **fields):
    request = new_request(world, **fields)
    with on_commit():
        request_services.request_submit(actor=actor_for(world["social_worker"]), request=request)
    return request


def mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def choose(user, kind, delivery):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


# --- Defaults per role ------------------------------------------------------------------------------------------------


def test_a_mediator_hears_of_offers_at_once_and_of_a_validated_report_in_the_summary(world):
    mediator = world["mediator_user"]
    assert preferences.delivery_for(mediator, K.OFFER) == Delivery.IMMEDIATE
    assert preferences.delivery_for(mediator, K.REPORT_SENT_BACK) == Delivery.IMMEDIATE
    assert preferences.delivery_for(mediator, K.REPORT_VALIDATED) == Delivery.DIGEST


def test_a_coordinator_hears_of_a_new_request_at_once_and_of_the_paperwork_in_the_summary(world):
    coordinator = world["coordinator_it"]
    for kind in (K.SUBMITTED, K.OFFER_DECLINED, K.ASSIGNED):
        assert preferences.delivery_for(coordinator, kind) == Delivery.IMMEDIATE, kind
    for kind in (K.REPORT_SUBMITTED, K.REPORT_CONFIRMED, K.EVALUATED, K.COMMENT):
        assert preferences.delivery_for(coordinator, kind) == Delivery.DIGEST, kind


def test_a_social_worker_hears_of_appointments_at_once_and_of_reports_to_confirm_in_the_summary(world):
    social_worker = world["social_worker"]
    assert preferences.delivery_for(social_worker, K.APPOINTMENT) == Delivery.IMMEDIATE
    assert preferences.delivery_for(social_worker, K.REPORT_SUBMITTED) == Delivery.DIGEST
    assert preferences.delivery_for(social_worker, K.COMPLETED) == Delivery.DIGEST


def test_province_staff_and_the_funder_receive_no_kind_and_an_administrator_every_kind_at_once(db):
    assert preferences.kinds_for(actor_for(f.province_staff()).role) == {}
    assert preferences.kinds_for(actor_for(f.funder_viewer()).role) == {}
    admin = f.administrator()
    assert set(preferences.kinds_for(actor_for(admin).role)) == set(K.values)
    assert preferences.delivery_for(admin, K.REPORT_CONFIRMED) == Delivery.IMMEDIATE


def test_every_kind_a_role_receives_is_a_kind(db):
    for role, kinds in preferences.DEFAULTS.items():
        assert set(kinds) <= set(K.values), role
        assert set(kinds.values()) <= set(Delivery.values), role


# --- A saved choice is honoured ---------------------------------------------------------------------------------------


def test_by_default_a_new_request_is_e_mailed_to_the_coordinators_at_once(world, on_commit):
    submit(world, on_commit)
    assert len(mails_to(world["coordinator_it"])) == 1
    assert len(mails_to(world["coordinator_en"])) == 1
    assert set(Notification.objects.values_list("delivery", flat=True)) == {Delivery.IMMEDIATE}


def test_in_the_portal_only_is_never_e_mailed_not_even_in_the_summary(world, on_commit, clock):
    choose(world["coordinator_it"], K.SUBMITTED, Delivery.IN_APP)
    submit(world, on_commit)
    assert mails_to(world["coordinator_it"]) == []
    assert len(mails_to(world["coordinator_en"])) == 1
    mine = Notification.objects.get(recipient=world["coordinator_it"])
    assert mine.delivery == Delivery.IN_APP and mine.emailed_at is None and mine.read_at is None
    clock.move_to(TUESDAY_MORNING)
    notification_send_digests()
    assert mails_to(world["coordinator_it"]) == []


def test_the_summary_choice_keeps_the_e_mail_for_the_morning(world, on_commit, clock):
    choose(world["coordinator_it"], K.SUBMITTED, Delivery.DIGEST)
    submit(world, on_commit, case_code="TM-2026-001")
    assert mails_to(world["coordinator_it"]) == []
    assert Notification.objects.get(recipient=world["coordinator_it"]).delivery == Delivery.DIGEST
    clock.move_to(TUESDAY_MORNING)
    assert notification_send_digests() == 1
    (summary,) = mails_to(world["coordinator_it"])
    assert "TM-2026-001" in summary.body


def test_immediate_e_mails_a_kind_whose_default_is_the_summary(world, on_commit):
    choose(world["social_worker"], K.ACCEPTED, Delivery.IMMEDIATE)
    request = submit(world, on_commit)
    with on_commit():
        request_services.request_accept(actor=actor_for(world["coordinator_it"]), request=request)
    (message,) = mails_to(world["social_worker"])
    assert "Request taken in charge" in message.subject


def test_a_mediator_who_wants_offers_in_the_portal_only_gets_no_offer_e_mail(world, on_commit):
    choose(world["mediator_user"], K.OFFER, Delivery.IN_APP)
    request = new_request(world, Status.MATCHING)
    with on_commit():
        scheduling_services.offers_create(
            actor=actor_for(world["coordinator_it"]), request=request, tiers=[[world["mediator"]]]
        )
    assert mails_to(world["mediator_user"]) == []
    offer_notification = Notification.objects.get(recipient=world["mediator_user"], kind=K.OFFER)
    assert offer_notification.delivery == Delivery.IN_APP


def test_an_offer_e_mailed_at_once_is_marked_so_and_never_repeated_in_the_summary(world, on_commit, clock):
    request = new_request(world, Status.MATCHING)
    with on_commit():
        scheduling_services.offers_create(
            actor=actor_for(world["coordinator_it"]), request=request, tiers=[[world["mediator"]]]
        )
    assert len(mails_to(world["mediator_user"])) == 1
    offer_notification = Notification.objects.get(recipient=world["mediator_user"], kind=K.OFFER)
    assert offer_notification.delivery == Delivery.IMMEDIATE and offer_notification.emailed_at is not None
    clock.move_to(TUESDAY_MORNING)
    assert notification_send_digests() == 0


def test_an_offer_kept_for_the_summary_says_its_deadline(world, on_commit, clock):
    choose(world["mediator_user"], K.OFFER, Delivery.DIGEST)
    request = new_request(world, Status.MATCHING, case_code="TM-2026-007")
    with on_commit():
        scheduling_services.offers_create(
            actor=actor_for(world["coordinator_it"]),
            request=request,
            tiers=[[world["mediator"]]],
            answer_within_hours=48,
        )
    assert mails_to(world["mediator_user"]) == []
    clock.move_to(TUESDAY_MORNING)
    assert notification_send_digests() == 1
    (summary,) = mails_to(world["mediator_user"])
    assert "TM-2026-007" in summary.body
    assert "Rispondi entro il giorno 9 dicembre 2026, 15:00" in summary.body
    assert settings.PORTAL_BASE_URL + reverse("scheduling:offers") in summary.body


# --- Saving choices ---------------------------------------------------------------------------------------------------


def test_saving_stores_only_the_choices_that_differ_from_the_default(world):
    coordinator = world["coordinator_it"]
    saved = notification_preferences_save(
        user=coordinator,
        choices={K.SUBMITTED: Delivery.IMMEDIATE, K.REPORT_CONFIRMED: Delivery.IMMEDIATE, K.COMMENT: Delivery.IN_APP},
    )
    assert saved == 2
    assert dict(NotificationPreference.objects.filter(user=coordinator).values_list("kind", "delivery")) == {
        K.REPORT_CONFIRMED: Delivery.IMMEDIATE,
        K.COMMENT: Delivery.IN_APP,
    }
    # Back to the default: the stored choice goes, the default holds again.
    notification_preferences_save(user=coordinator, choices={K.COMMENT: Delivery.DIGEST})
    assert not NotificationPreference.objects.filter(user=coordinator, kind=K.COMMENT).exists()
    assert NotificationPreference.objects.filter(user=coordinator, kind=K.REPORT_CONFIRMED).exists()


@pytest.mark.parametrize(
    "choices",
    [
        {K.SUBMITTED: "fax"},
        {K.SUBMITTED: ""},
        {K.OFFER: Delivery.IMMEDIATE},  # a mediator's kind, not a coordinator's
        {K.COMMENT: Delivery.IN_APP, K.SUBMITTED: "pigeon"},
    ],
)
def test_a_bad_choice_is_refused_and_nothing_is_saved(world, choices):
    with pytest.raises(DomainError):
        notification_preferences_save(user=world["coordinator_it"], choices=choices)
    assert not NotificationPreference.objects.exists()


def test_one_person_s_choices_leave_the_others_alone(world):
    notification_preferences_save(user=world["coordinator_it"], choices={K.SUBMITTED: Delivery.IN_APP})
    assert preferences.delivery_for(world["coordinator_en"], K.SUBMITTED) == Delivery.IMMEDIATE


# --- The page ---------------------------------------------------------------------------------------------------------


def test_the_page_lists_the_kinds_of_the_role_with_their_defaults_marked(world, client_for):
    page = client_for(world["coordinator_en"]).get(reverse("notifications:preferences"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="preference-') == len(preferences.kinds_for("coordinator"))
    assert 'data-testid="preference-submitted"' in html
    assert 'data-testid="preference-offer"' not in html
    assert html.count('data-testid="default"') == len(preferences.kinds_for("coordinator"))
    assert 'id="submitted-immediate" value="immediate" checked' in html
    assert 'id="report_confirmed-digest" value="digest" checked' in html


def test_the_notifications_list_leads_to_the_page(world, client_for):
    html = client_for(world["mediator_user"]).get(reverse("notifications:list")).content.decode()
    assert reverse("notifications:preferences") in html


def test_the_page_saves_a_choice_and_shows_it(world, client_for):
    client = client_for(world["mediator_user"])
    response = client.post(reverse("notifications:preferences"), {K.REPORT_VALIDATED: Delivery.IN_APP})
    assert response.status_code == 302
    assert preferences.delivery_for(world["mediator_user"], K.REPORT_VALIDATED) == Delivery.IN_APP
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert 'id="report_validated-in_app" value="in_app" checked' in html


def test_a_tampered_form_gets_a_message_in_the_user_s_language_and_saves_nothing(world, client_for):
    response = client_for(world["social_worker"]).post(
        reverse("notifications:preferences"), {K.COMMENT: Delivery.IN_APP, K.APPOINTMENT: "carrier-pigeon"}
    )
    assert response.status_code == 400
    assert "Choose how to receive each kind of notification." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_province_staff_read_that_they_receive_no_notification(db, client_for):
    html = client_for(f.province_staff(language="en")).get(reverse("notifications:preferences")).content.decode()
    assert "In your current role the portal sends you no notifications." in html


@pytest.mark.parametrize("chosen", [0, 12])
def test_the_page_takes_the_same_queries_whatever_the_choices(world, client_for, django_assert_num_queries, chosen):
    coordinator = world["coordinator_it"]
    for kind in list(preferences.kinds_for("coordinator"))[:chosen]:
        choose(coordinator, kind, Delivery.IN_APP)
    for _ in range(30 if chosen else 3):
        Notification.objects.create(recipient=coordinator, kind=K.COMMENT)
    client = client_for(coordinator)
    # The frame of every page (tests/test_query_counts.py: user, memberships, unread counter) + the user's own
    # choices.
    with django_assert_num_queries(FRAME + 1):
        assert client.get(reverse("notifications:preferences")).status_code == 200


# --- The daily summary ------------------------------------------------------------------------------------------------


def kept_for_summary(world, on_commit, count=2):
    """``count`` new requests, which both coordinators chose to read in the morning's summary."""
    for coordinator in (world["coordinator_it"], world["coordinator_en"]):
        choose(coordinator, K.SUBMITTED, Delivery.DIGEST)
    deadline = date(2026, 12, 18)
    for number in range(1, count + 1):
        submit(world, on_commit, case_code=f"TM-2026-{number:03d}", urgency="urgent", deadline=deadline)


def test_the_summary_is_one_e_mail_per_person_listing_each_notification(world, on_commit, clock):
    kept_for_summary(world, on_commit, count=3)
    assert mail.outbox == []
    clock.move_to(TUESDAY_MORNING)
    assert notification_send_digests() == 2
    (italian,) = mails_to(world["coordinator_it"])
    (english,) = mails_to(world["coordinator_en"])
    for message in (italian, english):
        assert message.subject.startswith("[Mediazione] ")
        for code in ("TM-2026-001", "TM-2026-002", "TM-2026-003"):
            assert code in message.body
        assert message.body.count(settings.PORTAL_BASE_URL + "/richieste/") == 3
        assert settings.PORTAL_BASE_URL + reverse("notifications:preferences") in message.body
    assert not Notification.objects.filter(delivery=Delivery.DIGEST, emailed_at__isnull=True).exists()


def test_the_summary_speaks_the_recipient_s_language_and_writes_dates_their_way(world, on_commit, clock):
    kept_for_summary(world, on_commit, count=1)
    clock.move_to(TUESDAY_MORNING)
    notification_send_digests()
    (italian,) = mails_to(world["coordinator_it"])
    (english,) = mails_to(world["coordinator_en"])
    assert italian.subject == "[Mediazione] Il riepilogo del giorno 8 dicembre 2026: 1 notifica"
    assert "Nuova richiesta (7 dicembre 2026, 15:00)" in italian.body
    assert "Necessaria entro il giorno 18 dicembre 2026" in italian.body
    assert "Ciao Dario," in italian.body
    assert english.subject == "[Mediazione] Your summary of 8 December 2026: 1 notification"
    assert "New request (7 December 2026, 15:00)" in english.body
    assert "Needed by 18 December 2026" in english.body
    assert "Hello Carla," in english.body
    for word in ("dicembre", "Nuova", "Ciao"):
        assert word not in english.body


def test_nobody_with_nothing_to_read_gets_a_summary(world, on_commit, clock):
    submit(world, on_commit)  # e-mailed at once: nothing kept for the summary
    mail.outbox.clear()
    clock.move_to(TUESDAY_MORNING)
    assert notification_send_digests() == 0
    assert mail.outbox == []


def test_a_second_run_the_same_day_sends_nothing(world, on_commit, clock):
    kept_for_summary(world, on_commit)
    clock.move_to(TUESDAY_MORNING)
    assert notification_send_digests() == 2
    assert notification_send_digests() == 0
    # What arrives later that day waits for tomorrow's summary: one e-mail per person per day.
    clock.move_to(TUESDAY_MORNING + timedelta(hours=3))
    submit(world, on_commit, case_code="TM-2026-099")
    assert notification_send_digests() == 0
    assert len(mails_to(world["coordinator_it"])) == 1
    clock.move_to(TUESDAY_MORNING + timedelta(days=1))
    assert notification_send_digests() == 2
    latest = mails_to(world["coordinator_it"])[-1]
    assert "TM-2026-099" in latest.body and "TM-2026-001" not in latest.body


def test_the_summary_never_carries_the_family_s_details(world, on_commit, clock):
    choose(world["coordinator_it"], K.SUBMITTED, Delivery.DIGEST)
    submit(world, on_commit, goal="Obiettivo segreto sul minore", sensitive_notes="Nota segreta")
    clock.move_to(TUESDAY_MORNING)
    notification_send_digests()
    (summary,) = mails_to(world["coordinator_it"])
    assert "segret" not in summary.body


def test_the_daily_task_is_scheduled_at_seven_italian_time():
    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == "notifications.tasks.send_daily_digests_task"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Rome"


def test_the_task_sends_the_summaries(world, on_commit, clock):
    from notifications.tasks import send_daily_digests_task

    kept_for_summary(world, on_commit, count=1)
    clock.move_to(TUESDAY_MORNING)
    assert send_daily_digests_task.delay().get() == 2


def test_the_e_mail_of_a_new_urgent_request_says_when_it_is_needed(world, on_commit):
    submit(world, on_commit, case_code="TM-2026-050", urgency="urgent", deadline=date(2026, 12, 9))
    (english,) = mails_to(world["coordinator_en"])
    (italian,) = mails_to(world["coordinator_it"])
    assert "Needed by: 9 December 2026" in english.body
    assert "Scadenza: 9 dicembre 2026" in italian.body
