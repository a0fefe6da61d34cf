"""The request form: a social worker saves a draft, edits it and submits it; every bad field gets its message in
the user's language and nothing is saved; the language search and the proposed-time rows; who may open the form."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from requests_app.models import MediationRequest, ProposedSlot, StatusChange

from . import factories as f

pytestmark = pytest.mark.django_db

CREATE = reverse("requests:create")
SEARCH = reverse("requests:language_search")
SLOT_ROW = reverse("requests:slot_row")


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def next_weekday(days=7):
    return timezone.localdate() + timedelta(days=days)


def form_data(action="draft", **overrides):
    """A complete request as the browser sends it: two languages, two countries, one proposed time."""
    data = {
        "action": action,
        "case_code": "TM-2025-014",
        "service_kind": "cultural_mediation",
        "setting": "child_protection",
        "urgency": "ordinary",
        "deadline": "",
        "preferred_gender": "female",
        "adults": "2",
        "minors": "3",
        "countries": ["MA", "DZ"],
        "goal": "Spiegare ai genitori il progetto di tutela.",
        "expected_sessions": "4",
        "session_minutes": "90",
        "mode": "in_person",
        "place": "Sede del servizio",
        "sensitive_notes": "La madre legge poco l'italiano.",
        **management("languages", 2),
        "languages-0-code": "ara",
        "languages-0-variant": "Darija marocchina",
        "languages-1-code": "fra",
        "languages-1-variant": "",
        **management("slots", 2),
        "slots-0-date": next_weekday().isoformat(),
        "slots-0-start": "09:30",
        "slots-0-end": "11:00",
        # An empty extra row, as the form shows one: ignored.
        "slots-1-date": "",
        "slots-1-start": "",
        "slots-1-end": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def office():
    return f.OfficeFactory(name="Servizio Tutela Minori – Cremona")


@pytest.fixture
def worker(office):
    return f.social_worker(office=office)


@pytest.fixture
def coordinators(office):
    return [f.coordinator(district=office.district), f.coordinator(district=office.district)]


@pytest.fixture
def client(worker, client_for):
    return client_for(worker)


def errors_of(response):
    """The messages shown on the page, by field (``languages`` and ``slots`` for the lists of rows)."""
    context = response.context
    found = {name: [str(e) for e in errors] for name, errors in context["form"].errors.items()}
    for name in ("language_formset", "slot_formset"):
        formset = context[name]
        key = name.split("_")[0] + "s"
        messages = [str(e) for e in formset.non_form_errors()]
        for form in formset.forms:
            for field, errors in form.errors.items():
                messages += [f"{field}: {e}" for e in errors]
        if messages:
            found[key] = messages
    return found


# --- Saving, editing, submitting --------------------------------------------------------------------------------------


def test_a_social_worker_opens_the_empty_form_of_their_office(client, office):
    response = client.get(CREATE)
    assert response.status_code == 200
    page = response.content.decode()
    assert office.name in page
    assert "Aggiungi una fascia oraria" in page
    assert 'hx-get="/richieste/fascia/?index=1"' in page
    assert "Salva come bozza" in page and "Invia la richiesta" in page
    # Without JavaScript the menu of languages stays: the search only helps to fill it.
    assert '<option value="ara">Arabo (ara)</option>' in page
    assert "solo il tuo ufficio" in page.lower()


def test_saving_a_draft_keeps_everything_and_goes_to_its_page(client, worker, office, coordinators):
    response = client.post(CREATE, form_data())
    saved = MediationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("requests:detail", args=[saved.pk])
    assert (saved.office, saved.requester, saved.status) == (office, worker, "draft")
    assert (saved.case_code, saved.adults, saved.minors, saved.session_minutes) == ("TM-2025-014", 2, 3, 90)
    assert [(x.code, x.variant) for x in saved.languages.all()] == [("ara", "Darija marocchina"), ("fra", "")]
    assert [c.code for c in saved.countries.all()] == ["DZ", "MA"]
    slot = saved.slots.get()
    assert timezone.localtime(slot.starts_at).replace(tzinfo=None) == datetime.combine(
        next_weekday(), datetime.strptime("09:30", "%H:%M").time()
    )
    assert (slot.ends_at - slot.starts_at) == timedelta(minutes=90)
    # A draft tells nobody.
    assert not Notification.objects.exists()
    assert not StatusChange.objects.exists()


def test_slots_are_stored_in_utc_from_the_time_of_rome(client):
    # 10:00 in Rome is 09:00 UTC in winter and 08:00 UTC in summer.
    day = next_weekday(30)
    client.post(CREATE, form_data(**{"slots-0-date": day.isoformat(), "slots-0-start": "10:00"}))
    slot = ProposedSlot.objects.get()
    rome = timezone.make_aware(datetime.combine(day, datetime.strptime("10:00", "%H:%M").time()))
    assert slot.starts_at == rome
    assert settings.TIME_ZONE == "Europe/Rome"


def test_editing_a_draft_changes_it_and_shows_what_it_holds(client, worker, office):
    client.post(CREATE, form_data())
    draft = MediationRequest.objects.get()
    edit = reverse("requests:edit", args=[draft.pk])
    page = client.get(edit).content.decode()
    assert 'value="TM-2025-014"' in page
    assert "Darija marocchina" in page
    assert 'value="09:30"' in page
    assert 'hx-get="/richieste/fascia/?index=2"' in page

    data = form_data(
        goal="Incontro con la scuola.",
        **management("languages", 1, 2),
        **{"languages-0-code": "zho", "languages-0-variant": "wenzhounese"},
    )
    data.pop("languages-1-code")
    response = client.post(edit, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.goal == "Incontro con la scuola."
    assert [(x.code, x.variant) for x in draft.languages.all()] == [("zho", "wenzhounese")]
    assert MediationRequest.objects.count() == 1


def test_submitting_a_new_request_sends_it_and_tells_the_coordinators(client, worker, coordinators):
    response = client.post(CREATE, form_data(action="submit"))
    saved = MediationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == saved.get_absolute_url()
    assert saved.status == "submitted" and saved.submitted_at is not None
    step = saved.history.get()
    assert (step.from_status, step.to_status, step.by) == ("draft", "submitted", worker)
    notified = set(Notification.objects.filter(request=saved, kind="submitted").values_list("recipient", flat=True))
    assert notified == {c.pk for c in coordinators}


def test_submitting_an_edited_draft_saves_the_changes_and_sends_it(client, coordinators):
    client.post(CREATE, form_data())
    draft = MediationRequest.objects.get()
    response = client.post(
        reverse("requests:edit", args=[draft.pk]),
        form_data(action="submit", minors="1", **management("languages", 2, 2)),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.minors) == ("submitted", 1)
    assert Notification.objects.filter(request=draft).count() == 2


def test_an_urgent_request_keeps_its_deadline_and_an_ordinary_one_drops_it(client):
    deadline = next_weekday(3).isoformat()
    client.post(CREATE, form_data(urgency="urgent", deadline=deadline))
    assert MediationRequest.objects.get().deadline.isoformat() == deadline
    client.post(CREATE, form_data(case_code="TM-2025-015", urgency="ordinary", deadline=deadline))
    assert MediationRequest.objects.get(case_code="TM-2025-015").deadline is None


def test_a_removed_language_row_and_an_empty_one_are_left_out(client):
    client.post(CREATE, form_data(**{"languages-1-DELETE": "on", **management("languages", 3)}))
    assert [x.code for x in MediationRequest.objects.get().languages.all()] == ["ara"]


def test_an_administrator_chooses_the_office(client_for, office):
    admin = f.administrator()
    client = client_for(admin)
    page = client.get(CREATE).content.decode()
    assert 'name="office"' in page
    response = client.post(CREATE, form_data(office=str(office.pk)))
    assert response.status_code == 302
    assert MediationRequest.objects.get().office == office
    response = client.post(CREATE, form_data(case_code="TM-2025-099", office=""))
    assert "office" in errors_of(response)


# --- Bad input: a message on the field, nothing saved, never a 500 ----------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"case_code": "RSSMRA85T10A562S"}, "case_code", "codice fiscale"),
        ({"case_code": "mario@example.org"}, "case_code", "indirizzo e-mail"),
        ({"case_code": "+39 333 1234567"}, "case_code", "numero di telefono"),
        ({"case_code": ""}, "case_code", "obbligatorio"),
        ({"case_code": "TM 2025 014 !"}, "case_code", "TM-2025-014"),
        ({"urgency": "urgent", "deadline": ""}, "deadline", "urgente"),
        ({"urgency": "urgent", "deadline": "2020-01-10"}, "deadline", "già passata"),
        ({"urgency": "urgent", "deadline": "2025-02-30"}, "deadline", "data valida"),
        ({"urgency": "sometimes"}, "urgency", "opzione valida"),
        ({"adults": "99999999999999999999999"}, "adults", "30"),
        ({"minors": "-1"}, "minors", "0"),
        ({"adults": "0", "minors": "0"}, "adults", "almeno una persona"),
        ({"expected_sessions": "1e400"}, "expected_sessions", "numero intero"),
        ({"session_minutes": "5"}, "session_minutes", "15"),
        ({"goal": ""}, "goal", "obbligatorio"),
        ({"goal": "Parlare con RSSMRA85T10A562S"}, "goal", "codice fiscale"),
        ({"sensitive_notes": "Scrivere a mario@example.org"}, "sensitive_notes", "e-mail"),
        ({"countries": ["XX"]}, "countries", "opzione valida"),
        ({"mode": "telepathy"}, "mode", "opzione valida"),
        ({"slots-0-end": "09:00"}, "slots", "successiva all'inizio"),
        ({"slots-0-date": (timezone.localdate() - timedelta(days=1)).isoformat()}, "slots", "già passat"),
        ({"slots-0-date": "2025-13-45"}, "slots", "data valida"),
        ({"slots-0-start": "25:99"}, "slots", "ora valida"),
        ({"slots-0-date": "9999-12-31"}, "slots", "due anni"),
        ({"languages-0-code": "xxx"}, "languages", "ISO 639-3"),
        ({"languages-0-code": "<script>"}, "languages", "ISO 639-3"),
        ({"languages-1-code": "ara", "languages-1-variant": "Darija marocchina"}, "languages", "già"),
        ({"languages-1-code": "", "languages-1-variant": "dialetto"}, "languages", "lingua"),
    ],
)
def test_each_bad_field_gets_its_message_and_nothing_is_saved(client, overrides, field, message):
    response = client.post(CREATE, form_data(action="submit", **overrides))
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors, errors
    assert any(message.lower() in e.lower() for e in errors[field]), errors
    assert not MediationRequest.objects.exists()
    assert not Notification.objects.exists()
    assert "Correggi" in response.content.decode() or "correggi" in response.content.decode()


def test_submitting_without_a_language_is_refused_and_saves_nothing(client, coordinators):
    data = form_data(action="submit", **management("languages", 1))
    data.update({"languages-0-code": "", "languages-0-variant": ""})
    data.pop("languages-1-code")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert "Aggiungi almeno una lingua" in " ".join(errors_of(response)["languages"])
    # Save and submit are one transaction: not even the draft remains.
    assert not MediationRequest.objects.exists()
    assert not Notification.objects.exists()
    # What the person typed is still there.
    page = response.content.decode()
    assert "Spiegare ai genitori il progetto di tutela." in page
    assert 'value="TM-2025-014"' in page


def test_a_refused_submit_leaves_the_draft_as_it_was(client, coordinators):
    data = form_data(**management("languages", 1))
    data.pop("languages-1-code")
    client.post(CREATE, data)
    draft = MediationRequest.objects.get()
    empty = form_data(action="submit", goal="Un obiettivo nuovo.", **management("languages", 1, 1))
    empty.update({"languages-0-code": "", "languages-0-variant": ""})
    empty.pop("languages-1-code")
    response = client.post(reverse("requests:edit", args=[draft.pk]), empty)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.goal == "Spiegare ai genitori il progetto di tutela."
    assert [x.code for x in draft.languages.all()] == ["ara"]
    assert "Un obiettivo nuovo." in response.content.decode()


def test_a_drafts_past_proposed_time_can_be_removed(client):
    client.post(CREATE, form_data())
    draft = MediationRequest.objects.get()
    past = timezone.now() - timedelta(days=2)
    draft.slots.update(starts_at=past, ends_at=past + timedelta(hours=1))
    edit = reverse("requests:edit", args=[draft.pk])
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    kept = form_data(**management("slots", 1, 1), **{"slots-0-date": yesterday})
    assert "slots" in errors_of(client.post(edit, kept))
    removed = form_data(**management("slots", 1, 1), **{"slots-0-date": yesterday, "slots-0-DELETE": "on"})
    assert client.post(edit, removed).status_code == 302
    assert not draft.slots.exists()


def test_a_case_code_already_used_by_the_office_is_refused(client, worker, office):
    f.MediationRequestFactory(office=office, requester=worker, case_code="TM-2025-014")
    response = client.post(CREATE, form_data())
    assert response.status_code == 200
    assert any("già una richiesta con questo codice" in e for e in errors_of(response)["case_code"])
    assert MediationRequest.objects.count() == 1
    assert "Spiegare ai genitori il progetto di tutela." in response.content.decode()


def test_another_office_may_use_the_same_case_code(client):
    f.MediationRequestFactory(case_code="TM-2025-014")
    assert client.post(CREATE, form_data()).status_code == 302
    assert MediationRequest.objects.filter(case_code="TM-2025-014").count() == 2


def test_messages_are_in_english_for_an_english_speaker(client_for, office):
    client = client_for(f.social_worker(office=office, language="en"))
    response = client.post(CREATE, form_data(case_code="RSSMRA85T10A562S", urgency="urgent"))
    errors = errors_of(response)
    assert "tax code" in errors["case_code"][0]
    assert "An urgent request needs the date it is needed by." in errors["deadline"]


def test_a_broken_management_form_is_a_message_not_a_500(client):
    data = form_data()
    data["slots-TOTAL_FORMS"] = "lots"
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert not MediationRequest.objects.exists()


# --- Language search and proposed-time rows ---------------------------------------------------------------------------


def results(client, query, row="languages-0"):
    response = client.get(SEARCH, {"q": query, "row": row})
    assert response.status_code == 200
    return response


def test_the_language_search_finds_languages_by_their_italian_name(client):
    arabic = results(client, "arabo")
    assert arabic.context["results"][0] == ("ara", "Arabo (ara)")
    assert 'data-pick-language="ara"' in arabic.content.decode()
    assert 'data-row="languages-0"' in arabic.content.decode()
    assert ("ary", "Arabo marocchino (ary)") in arabic.context["results"]
    assert results(client, "cinese").context["results"][0] == ("zho", "Cinese (zho)")
    assert results(client, "UCRAINO").context["results"][0] == ("ukr", "Ucraino (ukr)")


def test_the_language_search_finds_a_language_by_the_word_people_use_for_it(client):
    # "Darija" or "farsi" are what an office types: no CLDR name holds them, the words for variants do.
    assert ("ary", "Arabo marocchino (ary)") in results(client, "Darija").context["results"]
    assert ("ary", "Arabo marocchino (ary)") in results(client, "darij").context["results"]
    assert ("ary", "Arabo marocchino (ary)") in results(client, "darija marocchina").context["results"]
    assert "pes" in [code for code, _label in results(client, "farsi").context["results"]]
    assert "yue" in [code for code, _label in results(client, "cantonese").context["results"]]


def test_the_language_search_finds_codes_and_stops_at_twenty(client):
    assert results(client, "tir").context["results"][0] == ("tir", "Tigrino (tir)")
    assert results(client, "zh").context["results"][0][0] == "zho"
    assert len(results(client, "a").context["results"]) == 20


def test_the_language_search_speaks_english_when_english_is_active(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = results(client, "arabic")
    assert response.context["results"][0] == ("ara", "Arabic (ara)")
    assert results(client, "chinese").context["results"][0] == ("zho", "Chinese (zho)")


def test_the_language_search_says_when_nothing_matches_and_ignores_a_bad_row(client):
    response = results(client, "klingonese", row='"><script>')
    assert response.context["results"] == []
    assert "Nessuna lingua trovata" in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert results(client, "   ").content.decode().strip() == ""


def test_a_language_found_by_the_search_but_not_in_the_menu_is_saved(client):
    assert client.post(CREATE, form_data(**{"languages-1-code": "aeb"})).status_code == 302
    assert [x.code for x in MediationRequest.objects.get().languages.all()] == ["ara", "aeb"]


def test_slot_row_returns_a_row_with_the_index_asked_and_the_next_button(client):
    response = client.get(SLOT_ROW, {"index": 3})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="slots-3-date"' in page and 'name="slots-3-start"' in page and 'name="slots-3-end"' in page
    assert 'type="date"' in page and 'type="time"' in page
    assert 'id="id_slots-TOTAL_FORMS" hx-swap-oob="true"' in page and 'value="4"' in page
    assert 'hx-get="/richieste/fascia/?index=4"' in page


@pytest.mark.parametrize("index", ["", "abc", "-1", "30", "99999999999999999999"])
def test_slot_row_refuses_a_bad_index_without_a_500(client, index):
    assert client.get(SLOT_ROW, {"index": index}).status_code == 400


# --- Who may open the form ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CREATE, SEARCH + "?q=arabo", SLOT_ROW + "?index=1"])
@pytest.mark.parametrize("make_user", [f.coordinator, f.mediator, f.province_staff, f.funder_viewer])
def test_other_roles_cannot_open_the_form(client_for, url, make_user):
    assert client_for(make_user()).get(url).status_code == 403


@pytest.mark.parametrize("url", [CREATE, SEARCH, SLOT_ROW])
def test_anonymous_people_go_to_the_login(url):
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_draft_of_another_office_is_404(client):
    other = f.MediationRequestFactory()
    assert client.get(reverse("requests:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("requests:edit", args=[other.pk]), form_data()).status_code == 404
    assert client.get(reverse("requests:edit", args=[999999])).status_code == 404


def test_a_submitted_request_cannot_be_edited(client, worker, office):
    submitted = f.MediationRequestFactory(office=office, requester=worker, status="submitted")
    edit = reverse("requests:edit", args=[submitted.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(goal="Cambiato")).status_code == 403
    submitted.refresh_from_db()
    assert submitted.goal != "Cambiato"


def test_the_district_coordinator_cannot_edit_requests(client_for, office):
    coordinator = f.coordinator(district=office.district)
    draft = f.MediationRequestFactory(office=office)
    submitted = f.MediationRequestFactory(office=office, status="submitted")
    client = client_for(coordinator)
    # A draft is not the district's business yet: it does not exist for the coordinator.
    assert client.get(reverse("requests:edit", args=[draft.pk])).status_code == 404
    assert client.get(reverse("requests:edit", args=[submitted.pk])).status_code == 403


def test_a_colleague_of_the_same_office_edits_the_draft(client_for, office, worker):
    draft = f.MediationRequestFactory(office=office, requester=worker)
    colleague = f.social_worker(office=office)
    assert client_for(colleague).get(reverse("requests:edit", args=[draft.pk])).status_code == 200
