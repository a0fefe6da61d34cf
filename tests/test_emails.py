"""Every e-mail says what happened, with the facts, in its recipient's language, and links to a page that exists.

One story triggers every kind of notification: a request is submitted, taken in charge, offered (one mediator
declines, one accepts through the e-mail link), its appointments are planned, moved and cancelled, one by one and
as a series, the mediator changes; other requests are rejected, cancelled, closed; offers are withdrawn and expire.
Each e-mail is then read as its recipient would: English for some, Italian for the others.
"""

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import resolve, reverse

from accounts.scoping import actor_for
from mediators.models import Qualification
from mediators.services import qualification_expiry_notify
from notifications.models import Notification
from requests_app import services
from requests_app.models import MediationRequest, Status
from scheduling import services as scheduling_services
from scheduling.offer_links import make_token

from . import factories as f

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ROME)
PLACE = "Via Dante 12, Cremona"
URL = re.compile(r"https?://\S+")
# Italian words that must not reach an English reader, and English ones an Italian reader.
ITALIAN = ("dicembre", "Richiesta", "Ciao", "Buongiorno", "Apri")
ENGLISH = ("December", "Hello", "Open it", "Request:")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    province = f.ProvinceFactory(slug="cremona")
    district = f.DistrictFactory(province=province, name="Cremona")
    office = f.OfficeFactory(district=district, name="Tutela Minori Cremona")
    provider = f.ProviderFactory(province=province)
    people = {
        "coordinator_en": f.coordinator(district=district, language="en", first_name="Carla", last_name="Rossi"),
        "coordinator_it": f.coordinator(district=district, language="it", first_name="Dario", last_name="Neri"),
        "requester_en": f.social_worker(office=office, language="en", first_name="Sara", last_name="Villa"),
    }
    mediators = []
    for language, first, last in [
        ("it", "Amina", "Benali"),
        ("en", "Omar", "Haddad"),
        ("it", "Leila", "Saidi"),
        ("en", "Yusuf", "Karim"),
    ]:
        user = f.mediator(provider=provider, districts=[district], language=language, first_name=first, last_name=last)
        mediators.append(
            f.MediatorFactory(
                provider=provider,
                districts=[district],
                user=user,
                email=user.email,
                first_name=first,
                last_name=last,
                languages=["ara"],
            )
        )
    return {"district": district, "office": office, "people": people, "m": mediators}


def new_request(world, status, **fields) -> MediationRequest:
    return f.MediationRequestFactory(
        office=world["office"],
        requester=world["people"]["requester_en"],
        status=status,
        languages=["ara:Darija"],
        mode="in_person",
        place=PLACE,
        expected_sessions=3,
        session_minutes=90,
        **fields,
    )


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME)


def the_whole_story(world, commit):
    """Every kind of notification, each at least once. Each step commits, as each is a request of its own (the
    offer e-mail, sent after the commit, must find its offer still open)."""
    people, m = world["people"], world["m"]
    coordinator, requester = actor_for(people["coordinator_en"]), actor_for(people["requester_en"])
    request = new_request(world, Status.DRAFT, case_code="TM-2026-001")
    with commit():
        services.request_submit(actor=requester, request=request)
        services.request_accept(actor=coordinator, request=request)
        services.comment_add(actor=requester, request=request, body="Possiamo anticipare?")
    with commit():
        offers = scheduling_services.offers_create(actor=coordinator, request=request, tiers=[[m[0], m[1], m[2]]])
    by_mediator = {offer.mediator_id: offer for offer in offers}
    # Through the e-mail links, without logging in: the portal only knows the offer.
    with commit():
        scheduling_services.offer_decline(offer=by_mediator[m[2].pk], by=None, reason="")
    with commit():
        scheduling_services.offer_accept(offer=by_mediator[m[0].pk], by=None)
    with commit():
        the_appointments(world, request)
    with commit():
        the_other_requests(world)
    return request


def the_appointments(world, request):
    coordinator, m = actor_for(world["people"]["coordinator_en"]), world["m"]
    appointment = scheduling_services.appointment_create(
        actor=coordinator, request=request, starts_at=at(4, 9, 30), ends_at=at(4, 10, 30)
    )
    scheduling_services.appointment_reschedule(
        actor=coordinator, appointment=appointment, starts_at=at(4, 11), ends_at=at(4, 12), reason="Aula occupata"
    )
    scheduling_services.appointment_cancel(actor=coordinator, appointment=appointment, reason="La famiglia non può")
    planned, _ = scheduling_services.series_create(
        actor=coordinator,
        request=request,
        starts_at=at(11, 9, 30),
        ends_at=at(11, 10, 30),
        interval_weeks=1,
        until=date(2027, 1, 1),
    )
    first = planned.occurrences.order_by("starts_at").first()
    scheduling_services.series_move(
        actor=coordinator, appointment=first, scope="all", starts_at=at(11, 14), ends_at=at(11, 15), reason="Orario"
    )
    scheduling_services.series_change_mediator(
        actor=coordinator, planned=planned, from_day=date(2026, 12, 25), mediator=m[3], reason="Ferie"
    )
    first.refresh_from_db()
    scheduling_services.series_cancel(actor=coordinator, appointment=first, scope="all", reason="Progetto sospeso")


def the_other_requests(world):
    coordinator, m = actor_for(world["people"]["coordinator_en"]), world["m"]
    requester = actor_for(world["people"]["requester_en"])
    rejected = new_request(world, Status.SUBMITTED, case_code="TM-2026-002")
    services.request_reject(actor=coordinator, request=rejected, reason="Manca la lingua")
    cancelled = new_request(world, Status.MATCHING, case_code="TM-2026-003")
    services.request_cancel(actor=requester, request=cancelled, reason="Famiglia trasferita")
    closed = new_request(world, Status.EVALUATED, case_code="TM-2026-004")
    services.request_close(actor=coordinator, request=closed)
    offered = new_request(world, Status.MATCHING, case_code="TM-2026-005")
    withdrawn, expiring = scheduling_services.offers_create(
        actor=coordinator, request=offered, tiers=[[m[1], m[3]]], answer_within_hours=1
    )
    scheduling_services.offer_withdraw(actor=coordinator, offer=withdrawn)
    scheduling_services.offers_tick(now=NOW + timedelta(hours=2))


@pytest.fixture
def story(world, django_capture_on_commit_callbacks):
    return the_whole_story(world, lambda: django_capture_on_commit_callbacks(execute=True))


def mails_to(user, subject_part: str = "") -> list:
    return [m for m in mail.outbox if m.to == [user.email] and subject_part in m.subject]


def one_mail(user, subject_part: str):
    found = mails_to(user, subject_part)
    assert len(found) == 1, [m.subject for m in mails_to(user)]
    return found[0]


# --- Every e-mail -----------------------------------------------------------------------------------------------------


# The life after the appointments (reports, completion, evaluation): tests/test_notification_steps.py.
SESSION_KINDS = {
    Notification.Kind.REPORT_SUBMITTED,
    Notification.Kind.REPORT_CONFIRMED,
    Notification.Kind.REPORT_VALIDATED,
    Notification.Kind.REPORT_SENT_BACK,
    Notification.Kind.COMPLETED,
    Notification.Kind.EVALUATED,
}


def test_the_story_triggers_every_kind_of_notification_and_each_is_e_mailed(story):
    assert {n.kind for n in Notification.objects.all()} == set(Notification.Kind.values) - SESSION_KINDS
    # Those about an offer leave through the offer's own e-mail (with its answer links), the others one by one: each
    # at once, or kept for the morning's summary, as its recipient's role's default says; none is left unrouted.
    assert not Notification.objects.filter(delivery="").exists()
    assert not Notification.objects.filter(delivery="immediate", emailed_at__isnull=True).exists()
    assert Notification.objects.filter(delivery="digest", emailed_at__isnull=True).exists()


def test_every_e_mail_has_the_prefix_a_link_that_resolves_and_no_artefacts(story, world):
    assert len(mail.outbox) > 30
    for message in mail.outbox:
        assert message.subject.startswith("[Mediazione] "), message.subject
        for artefact in ("QuerySet", "<", ">", "object at", "{{", "{%", "None"):
            assert artefact not in message.subject + message.body, (artefact, message.subject, message.body)
        links = URL.findall(message.body)
        assert links, message.body
        for link in links:
            assert link.startswith(settings.PORTAL_BASE_URL + "/"), link
            resolve(urlsplit(link).path)


def test_every_e_mail_speaks_its_recipients_language(story, world):
    people = {user.email: user for user in [*world["people"].values(), *(m.user for m in world["m"])]}
    for message in mail.outbox:
        language = people[message.to[0]].language
        text = message.subject + message.body
        foreign = ITALIAN if language == "en" else ENGLISH
        assert not [word for word in foreign if word in text], (language, message.subject, message.body)


def test_the_offer_e_mail_names_the_languages_place_and_sessions(story, world):
    english = one_mail(world["m"][1].user, "New offer of work · TM-2026-001")
    assert "Language: Arabic (Darija)" in english.body
    assert f"Where: {PLACE} (in person)" in english.body
    assert "Sessions: 3 sessions of 90 minutes" in english.body
    assert "Please answer by 2 December 2026, 09:00" in english.body
    assert "/offerte/risposta/" in english.body
    italian = one_mail(world["m"][0].user, "Nuova offerta di lavoro · TM-2026-001")
    assert italian.subject == "[Mediazione] Nuova offerta di lavoro · TM-2026-001"
    assert "Arabo (Darija)" in italian.body
    assert "2 dicembre 2026, 09:00" in italian.body


def test_confirmed_and_taken_offers_link_to_a_page(story, world):
    confirmed = mails_to(world["m"][0].user, "TM-2026-001")[1]
    assert settings.PORTAL_BASE_URL + story.get_absolute_url() in confirmed.body
    taken = one_mail(world["m"][1].user, "Offer taken by another mediator")
    assert settings.PORTAL_BASE_URL + reverse("scheduling:offers") in taken.body


# --- Who is told, and what --------------------------------------------------------------------------------------------


def test_the_coordinator_is_told_when_the_mediator_accepts_through_the_e_mail_link(story, world):
    for coordinator in (world["people"]["coordinator_en"], world["people"]["coordinator_it"]):
        assert Notification.objects.filter(recipient=coordinator, kind=Notification.Kind.ASSIGNED).exists()
    assigned = Notification.objects.get(recipient=world["people"]["coordinator_en"], kind=Notification.Kind.ASSIGNED)
    assert assigned.actor == world["m"][0].user
    message = one_mail(world["people"]["coordinator_en"], "Mediator assigned · TM-2026-001")
    assert "Amina Benali accepted the request TM-2026-001" in message.body
    assert "By: Amina Benali" in message.body


def test_a_declined_offer_tells_every_coordinator_who_declined(story, world):
    message = one_mail(world["people"]["coordinator_en"], "Offer declined")
    assert "Leila Saidi declined the offer of the request TM-2026-001" in message.body
    assert one_mail(world["people"]["coordinator_it"], "Offerta rifiutata")


def test_appointment_e_mails_say_the_day_time_place_and_mediator(story, world):
    requester, mediator = world["people"]["requester_en"], world["m"][0].user
    planned = one_mail(requester, "Appointment planned")
    assert "4 December 2026, 09:30–10:30" in planned.body
    assert f"{PLACE} (in person)" in planned.body
    assert "Amina Benali" in planned.body
    assert "By: Carla Rossi" in planned.body
    moved = one_mail(requester, "Appointment moved")
    assert "of 4 December 2026, 09:30 moved to 4 December 2026, 11:00–12:00" in moved.body
    cancelled = one_mail(requester, "Appointment cancelled")
    assert "4 December 2026, 11:00–12:00" in cancelled.body and "was cancelled" in cancelled.body
    italian = one_mail(mediator, "Appuntamento programmato")
    assert "4 dicembre 2026, 09:30–10:30" in italian.body
    assert PLACE in italian.body


def test_series_e_mails_say_how_many_from_when_and_with_whom(story, world):
    requester = world["people"]["requester_en"]
    planned = one_mail(requester, "Recurring appointments planned")
    assert "4 recurring appointments planned for the request TM-2026-001" in planned.body
    assert "from 11 December 2026, 09:30–10:30 to 1 January 2027" in planned.body
    moved = one_mail(requester, "Recurring appointments moved")
    assert "4 appointments of the request TM-2026-001 moved: the first is now 11 December 2026, 14:00–15:00" in (
        moved.body
    )
    changed = one_mail(requester, "Mediator changed")
    assert "is now Yusuf Karim instead of Amina Benali, for 2 appointments from 25 December 2026, 14:00" in (
        changed.body
    )
    cancelled = one_mail(requester, "Recurring appointments cancelled")
    assert "4 appointments of the request TM-2026-001 were cancelled, from 11 December 2026, 14:00" in cancelled.body
    assert "to 1 January 2027, 14:00" in cancelled.body


def test_the_notifications_list_says_what_happened(story, world, client_for):
    page = client_for(world["people"]["coordinator_en"]).get(reverse("notifications:list") + "?page=1")
    assert page.status_code == 200
    texts = " ".join(re.sub(r"\s+", " ", t) for t in re.findall(r'notification-text">(.*?)</p>', page.content.decode()))
    assert "Amina Benali accepted the request TM-2026-001" in texts
    assert "Leila Saidi declined the offer of the request TM-2026-001" in texts
    assert "a new message" not in page.content.decode()
    requester_page = client_for(world["people"]["requester_en"]).get(reverse("notifications:list"))
    assert "Appointment planned for the request TM-2026-001: 4 December 2026, 09:30–10:30" in (
        requester_page.content.decode()
    )


# --- The page of the e-mail link --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "expected"), [(1, "Accept the offer"), (0, "Accetta l")])
def test_the_accept_link_page_speaks_the_mediators_language(world, client, index, expected):
    request = new_request(world, Status.MATCHING, case_code="TM-2026-009")
    coordinator = actor_for(world["people"]["coordinator_it"])
    offer = scheduling_services.offers_create(actor=coordinator, request=request, tiers=[[world["m"][index]]])[0]
    page = client.get(reverse("scheduling:offer_link", args=[make_token(offer, "accept")]), HTTP_ACCEPT_LANGUAGE="it")
    assert page.status_code == 200
    assert expected in page.content.decode()
    assert f'<html lang="{world["m"][index].user.language}">' in page.content.decode()
    assert page["Content-Language"] == world["m"][index].user.language


def test_someone_else_logged_in_reads_whose_offer_it_is_in_their_own_language(world, client_for):
    # The offer is Italian mediator 0's; mediator 1, who works in English, opens the forwarded link on their
    # computer: the page speaks to them (who they are logged in as, the button to log out) in English.
    request = new_request(world, Status.MATCHING, case_code="TM-2026-009")
    coordinator = actor_for(world["people"]["coordinator_it"])
    offer = scheduling_services.offers_create(actor=coordinator, request=request, tiers=[[world["m"][0]]])[0]
    assert world["m"][0].user.language == "it" and world["m"][1].user.language == "en"
    page = client_for(world["m"][1].user).get(reverse("scheduling:offer_link", args=[make_token(offer, "accept")]))
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="en">' in html
    assert f"This offer was made to {world['m'][0].full_name}" in html
    assert "Log out and answer as the mediator" in html


# --- Expiring qualifications ------------------------------------------------------------------------------------------


def test_a_qualification_is_announced_to_each_district_of_its_mediator_once(db, clock):
    province = f.ProvinceFactory(slug="cremona")
    casalmaggiore = f.DistrictFactory(province=province, name="Casalmaggiore")
    cremona = f.DistrictFactory(province=province, name="Cremona")
    crema = f.DistrictFactory(province=province, name="Crema")
    mediator = f.MediatorFactory(districts=[casalmaggiore, cremona, crema], first_name="Nadia", last_name="Ali")
    f.QualificationFactory(mediator=mediator, title="Attestato regionale", expires_on=date(2026, 12, 20))
    cremona_coordinator = f.coordinator(district=cremona, language="en")
    assert qualification_expiry_notify(today=NOW.date()) == 1
    message = one_mail(cremona_coordinator, "Cremona")
    assert "Nadia Ali: Attestato regionale" in message.body
    assert "20 December 2026" in message.body
    # Crema gets a coordinator the next day: the qualification is announced there too, and to nobody twice.
    crema_coordinator = f.coordinator(district=crema)
    assert qualification_expiry_notify(today=NOW.date() + timedelta(days=1)) == 1
    assert one_mail(crema_coordinator, "Crema").to == [crema_coordinator.email]
    assert qualification_expiry_notify(today=NOW.date() + timedelta(days=2)) == 0
    assert Qualification.objects.count() == 1


# --- The other e-mails: the same dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "until 8 December 2026, 09:00"), ("it", "fino al giorno 8 dicembre 2026, 09:00")]
)
def test_the_invitation_writes_its_expiry_day_first(db, clock, language, expected):
    from accounts.services import invitation_send_email

    invitation = f.InvitationFactory(language=language, expires_at=NOW + timedelta(days=7))
    assert invitation_send_email(invitation_id=invitation.pk)
    (message,) = mail.outbox
    assert message.subject.startswith("[Mediazione] ")
    assert expected in message.body


def test_the_missing_report_reminder_writes_the_day_first(db, clock):
    from timesheets.services import reminders_missing_reports

    from . import report_factories as rf

    world = rf.make_world(sessions=0)
    world.mediator_user.language = "en"
    world.mediator_user.save()
    appointment = rf.past_appointment(world.request, days_ago=0)
    appointment.starts_at, appointment.ends_at = at(27, 9, 30, month=11), at(27, 10, 30, month=11)
    appointment.save()
    assert reminders_missing_reports() == 1
    (message,) = mail.outbox
    assert message.subject.startswith("[Mediazione] ")
    assert "Friday 27 November 2026, 09:30" in message.body
