"""The request page's offers, appointments and history are written by Python (scheduling/templatetags/summary_rows.py,
requests_app/templatetags/request_history.py) exactly as the page's templates wrote them: those templates are kept as
the references (tests/summary_offer_row_reference.html, tests/summary_appointment_row_reference.html,
tests/request_history_reference.html), and both write the same offers, appointments and changes of every kind, in
Italian and in English, in the page's time zone. Every moment is given, none is "now": no clock to freeze."""

import datetime as dt

import pytest
from django.template import Context
from django.urls import reverse
from django.utils import timezone, translation

from requests_app import selectors as request_selectors
from requests_app.models import StatusChange
from requests_app.templatetags.request_history import request_history_items
from scheduling import selectors
from scheduling.models import Appointment, Offer
from scheduling.templatetags.summary_rows import summary_appointment_rows, summary_offer_rows

from . import factories as f
from .conftest import login_client
from .reference_html import normal, reference

OFFER_REFERENCE = reference("summary_offer_row_reference.html")
APPOINTMENT_REFERENCE = reference("summary_appointment_row_reference.html")
HISTORY_REFERENCE = reference("request_history_reference.html")
# 23:30 UTC on 10 March: already Wednesday 11 March (00:30) in Rome, in winter time.
NIGHT = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
DECLINED = '<b>Già</b> impegnato & "stanco"'
PLACE = 'Sala <Ponte> & "Arcobaleno"'
REASON = 'Manca <em>il</em> consenso & "firma".\nRichiedere al servizio\r\nentro venerdì.'
LANGUAGES = pytest.mark.parametrize("language", ["it", "en"])


@pytest.fixture
def world(db):
    """A scheduled request with offers, appointments and changes of every kind; its mediator's name holds markup."""
    district = f.DistrictFactory()
    office = f.OfficeFactory(district=district)
    provider = f.ProviderFactory(province=district.province)
    coordinator = f.coordinator(district=district, first_name="", last_name="", email="coordinamento@example.org")
    worker = f.social_worker(office=office, first_name="<b>Giulia</b>", last_name="Rossi & Figli")
    amina, youssef, li, oleksandr, marta = (
        f.MediatorFactory(provider=provider, districts=[district], first_name=first, last_name=last)
        for first, last in (("<b>Amina</b>", "Riva & Sala"), ("Youssef", "Sala"), ("Li", "Wei"),
                            ("Oleksandr", "Kovalenko"), ("Marta", "Neri"))
    )  # fmt: skip
    request = f.MediationRequestFactory(office=office, requester=worker, status="scheduled", assigned_mediator=amina)
    _offer(request, coordinator, amina, "accepted", release_at=NIGHT, answered_at=NIGHT + HOUR, by_phone=True)
    _offer(request, coordinator, youssef, "declined", answered_at=NIGHT + DAY, decline_reason=DECLINED)
    _offer(request, coordinator, li, "expired")
    _offer(request, coordinator, oleksandr, "open", expires_at=NIGHT + 2 * DAY)  # waiting for an answer
    _offer(request, coordinator, marta, "queued", tier=2, release_at=NIGHT + 3 * DAY)  # waiting for its turn
    _offer(request, coordinator, youssef, "withdrawn", tier=2)
    _appointment(request, coordinator, amina, NIGHT, "held", place=PLACE)
    _appointment(request, coordinator, amina, NIGHT + 7 * DAY, "cancelled", mode="phone")
    _appointment(request, coordinator, youssef, NIGHT + 14 * DAY, "cancelled", mode="video", place="Online",
                 late_cancellation=True)  # fmt: skip
    _appointment(request, coordinator, amina, NIGHT + 21 * DAY, "void", place=PLACE)
    _appointment(request, coordinator, amina, NIGHT + 28 * DAY, "no_show", mode="phone")
    _appointment(request, coordinator, amina, NIGHT + 35 * DAY, "planned", mode="video")
    _change(request, worker, "", "submitted", NIGHT - 9 * DAY)  # the first step: from nothing
    _change(request, coordinator, "submitted", "rejected", NIGHT - 8 * DAY, reason=REASON)  # by someone unnamed
    _change(request, worker, "rejected", "submitted", NIGHT - 7 * DAY, reason="Consenso firmato.")
    _change(request, coordinator, "submitted", "matching", NIGHT)
    return {"request": request, "coordinator": coordinator}


def _offer(request, by, mediator, status, *, tier=1, release_at=NIGHT - DAY, **fields):
    fields.setdefault("expires_at", release_at + 2 * DAY)
    return Offer.objects.create(request=request, mediator=mediator, status=status, tier=tier, release_at=release_at,
                                created_by=by, **fields)  # fmt: skip


def _appointment(request, by, mediator, starts_at, status, **fields):
    return Appointment.objects.create(request=request, mediator=mediator, starts_at=starts_at,
                                      ends_at=starts_at + HOUR, status=status, created_by=by, **fields)  # fmt: skip


def _change(request, by, from_status, to_status, at, reason=""):
    change = StatusChange.objects.create(request=request, by=by, from_status=from_status, to_status=to_status,
                                         reason=reason)  # fmt: skip
    StatusChange.objects.filter(pk=change.pk).update(at=at)  # auto_now_add: the moment is set after


def _offers(world) -> list[Offer]:
    return selectors.request_summary_offers(user=world["coordinator"], request=world["request"])


def _appointments(world) -> list[Appointment]:
    return selectors.request_summary_appointments(user=world["coordinator"], request=world["request"])


def _read(world):
    """The request as its page reads it, with its history and who made each change."""
    return request_selectors.request_detail(user=world["coordinator"], pk=world["request"].pk)


@LANGUAGES
def test_every_kind_of_offer_is_written_as_the_template_wrote_it(world, language):
    offers = _offers(world)
    # First group first, each in the order sent.
    assert [o.status for o in offers] == ["declined", "expired", "open", "accepted", "withdrawn", "queued"]
    with translation.override(language), timezone.override("Europe/Rome"):
        written = normal(summary_offer_rows(offers))
        expected = normal(OFFER_REFERENCE.render(Context({"summary_offers": offers})))
    assert written == expected
    it = language == "it"
    assert written.count('<tr data-testid="summary-offer">') == 6
    assert "&lt;b&gt;Amina&lt;/b&gt; Riva &amp; Sala" in written and "<b>" not in written
    assert "&lt;b&gt;Già&lt;/b&gt; impegnato &amp; &quot;stanco&quot;" in written
    assert ("11 mar 2026, 00:30" if it else "11 Mar 2026, 00:30") in written  # the time in Rome, not in UTC
    assert ("(al telefono)" if it else "(by phone)") in written
    assert written.count("gruppo 2" if it else "group 2") == 2
    assert ("dal giorno 14 mar 2026, 00:30" if it else "from 14 Mar 2026, 00:30") in written
    assert ("nessuna risposta entro il giorno" if it else "no answer by") in written
    assert ("entro il giorno 13 mar 2026, 00:30" if it else "by 13 Mar 2026, 00:30") in written


@LANGUAGES
def test_every_kind_of_appointment_is_written_as_the_template_wrote_it(world, language):
    appointments = _appointments(world)
    assert [a.status for a in appointments] == ["held", "cancelled", "cancelled", "void", "no_show", "planned"]
    with translation.override(language), timezone.override("Europe/Rome"):
        written = normal(summary_appointment_rows(appointments))
        expected = normal(APPOINTMENT_REFERENCE.render(Context({"summary_appointments": appointments})))
    assert written == expected
    it = language == "it"
    assert written.count('<tr data-testid="summary-appointment">') == 6
    assert written.count("<del>") == 3  # the two cancelled ones and the void one
    assert ("mer 11 mar 2026, 00:30–01:30" if it else "Wed 11 Mar 2026, 00:30–01:30") in written
    assert written.count("Sala &lt;Ponte&gt; &amp; &quot;Arcobaleno&quot;") == 2
    assert "&lt;b&gt;Amina&lt;/b&gt; Riva &amp; Sala" in written and "<b>" not in written
    # The template's own translation as it is: its apostrophe is not escaped.
    assert written.count("annullato all'ultimo momento" if it else "cancelled late") == 1
    for appointment in appointments:
        assert f'<a href="{appointment.get_absolute_url()}">' in written


@LANGUAGES
def test_every_kind_of_change_of_the_history_is_written_as_the_template_wrote_it(world, language):
    request = _read(world)
    changes = list(request.history.all())
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("", "submitted"), ("submitted", "rejected"), ("rejected", "submitted"), ("submitted", "matching"),
    ]  # fmt: skip
    with translation.override(language), timezone.override("Europe/Rome"):
        written = normal(request_history_items(request.history.all()))
        expected = normal(HISTORY_REFERENCE.render(Context({"r": request})))
    assert written == expected
    it = language == "it"
    assert written.count('<li class="request-timeline-item">') == 4
    assert written.count("</span> — <span") == 1  # the first step comes from no status
    assert ("11 marzo 2026, 00:30" if it else "11 March 2026, 00:30") in written  # the time in Rome
    assert written.count("&lt;b&gt;Giulia&lt;/b&gt; Rossi &amp; Figli") == 2
    assert written.count("coordinamento@example.org") == 2  # someone without a name goes by their address
    assert "Manca &lt;em&gt;il&lt;/em&gt; consenso &amp; &quot;firma&quot;.<br>Richiedere al servizio<br>" in written
    assert written.count('<p class="mb-0 request-reason">') == 2
    assert ("Motivo" if it else "Reason") in written


@pytest.mark.django_db
def test_nothing_to_list_writes_nothing():
    assert summary_offer_rows([]) == summary_appointment_rows([]) == request_history_items([]) == ""


def test_the_request_page_writes_the_rows_and_the_history_as_the_templates_did(world):
    response = login_client(world["coordinator"]).get(reverse("requests:detail", args=[world["request"].pk]))
    assert response.status_code == 200
    page = normal(response.content.decode())
    with translation.override("it"), timezone.override("Europe/Rome"):
        offers = normal(OFFER_REFERENCE.render(Context({"summary_offers": _offers(world)})))
        appointments = normal(APPOINTMENT_REFERENCE.render(Context({"summary_appointments": _appointments(world)})))
        history = normal(HISTORY_REFERENCE.render(Context({"r": _read(world)})))
    assert f"<tbody>{offers}</tbody>" in page
    assert f"<tbody>{appointments}</tbody>" in page
    assert f"</li>{history}</ol>" in page  # after "Created as a draft"
