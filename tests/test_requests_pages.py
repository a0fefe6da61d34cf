"""The request pages: the lists by role and their filters, the request page, its thread and actions, request again,
notifications and the header's counter, hostile query strings, and a fixed number of queries."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from notifications.models import Notification
from requests_app import services
from requests_app.models import Comment, MediationRequest, ProposedSlot, Status

from . import factories as f

pytestmark = pytest.mark.django_db

NOTES = "Il padre non deve sapere dell incontro: parlarne solo con la madre."


@pytest.fixture
def area():
    province = f.ProvinceFactory(slug="cremona", name="Provincia di Cremona")
    cremona = f.DistrictFactory(province=province, name="Cremona")
    crema = f.DistrictFactory(province=province, name="Crema")
    office = f.OfficeFactory(district=cremona, name="Tutela Minori Cremona")
    other_office = f.OfficeFactory(district=cremona, name="Servizio Sociale di Base Cremona")
    crema_office = f.OfficeFactory(district=crema, name="Tutela Minori Crema")
    bergamo = f.ProvinceFactory(slug="bergamo")
    return {
        "province": province,
        "cremona": cremona,
        "crema": crema,
        "office": office,
        "other_office": other_office,
        "crema_office": crema_office,
        "worker": f.social_worker(office=office),
        "coordinator": f.coordinator(district=cremona),
        "crema_coordinator": f.coordinator(district=crema),
        "staff": f.province_staff(province=province),
        "bergamo_office": f.OfficeFactory(district=f.DistrictFactory(province=bergamo)),
    }


def req(office, requester=None, *, status=Status.SUBMITTED, submitted_days_ago=1, **fields):
    submitted_at = None if status == Status.DRAFT else timezone.now() - timedelta(days=submitted_days_ago)
    extra = {"requester": requester} if requester else {}
    return f.MediationRequestFactory(office=office, status=status, submitted_at=submitted_at, **extra, **fields)


def codes(response) -> list[str]:
    assert response.status_code == 200
    return [r.case_code for r in response.context["page"]]


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Lists --------------------------------------------------------------------------------------------------------


def test_a_social_worker_sees_her_office_requests_with_drafts_newest_first(area, client_for):
    older = req(area["office"], area["worker"], case_code="TM-1")
    newer = req(area["office"], area["worker"], case_code="TM-2", status=Status.DRAFT)
    req(area["other_office"], case_code="ALTRO-1")
    req(area["crema_office"], case_code="CREMA-1")
    MediationRequest.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    response = client_for(area["worker"]).get(reverse("requests:list"))
    assert codes(response) == [newer.case_code, older.case_code]
    page = response.content.decode()
    assert "Le richieste del mio servizio" in page
    assert reverse("requests:create") in page  # "Nuova richiesta"


def test_the_coordinator_queue_puts_urgent_first_then_the_oldest_submitted(area, client_for):
    today = timezone.localdate()
    req(area["office"], case_code="NEW", submitted_days_ago=1)
    req(area["other_office"], case_code="OLD", submitted_days_ago=10)
    req(area["office"], case_code="URG-LATER", submitted_days_ago=2, urgency="urgent", deadline=today + timedelta(9))
    req(area["office"], case_code="URG-SOON", submitted_days_ago=1, urgency="urgent", deadline=today + timedelta(2))
    req(area["office"], case_code="DRAFT", status=Status.DRAFT)  # the office's own business
    req(area["office"], case_code="DONE", status=Status.CLOSED, submitted_days_ago=60)  # not waiting any more
    req(area["crema_office"], case_code="CREMA", submitted_days_ago=30)  # another district
    client = client_for(area["coordinator"])
    response = client.get(reverse("requests:list"))
    assert codes(response) == ["URG-SOON", "URG-LATER", "OLD", "NEW"]
    assert "La coda dell’ambito" in response.content.decode()
    assert reverse("requests:create") not in response.content.decode()
    # Every status, on request: the closed one too, never the draft nor another district's.
    assert set(codes(client.get(reverse("requests:list"), {"status": ""}))) == {
        "URG-SOON",
        "URG-LATER",
        "OLD",
        "NEW",
        "DONE",
    }


def test_province_staff_see_every_district_of_the_province_with_its_name_and_a_district_filter(area, client_for):
    req(area["office"], case_code="CR-1", submitted_days_ago=3)
    req(area["crema_office"], case_code="CREMA-1", submitted_days_ago=1)
    req(area["office"], case_code="BOZZA", status=Status.DRAFT)
    req(area["bergamo_office"], case_code="BG-1")
    client = client_for(area["staff"])
    response = client.get(reverse("requests:list"))
    assert codes(response) == ["CREMA-1", "CR-1"]  # most recently submitted first
    page = response.content.decode()
    assert "Servizio e ambito" in page and "Crema" in page
    assert codes(client.get(reverse("requests:list"), {"district": area["crema"].pk})) == ["CREMA-1"]


@pytest.mark.parametrize("role", ["mediator", "funder_viewer"])
def test_mediators_and_funders_have_no_request_list(area, client_for, role):
    user = f.mediator() if role == "mediator" else f.funder_viewer(funder=f.FunderFactory(provinces=[area["province"]]))
    assert client_for(user).get(reverse("requests:list")).status_code == 403


def test_filters_by_status_language_office_date_and_case_code(area, client_for):
    arabic = req(area["office"], case_code="TM-ARA", languages=["ara:Darija"], submitted_days_ago=20)
    chinese = req(area["other_office"], case_code="SSB-ZHO", languages=["zho:Wenzhounese"], submitted_days_ago=2)
    req(area["office"], case_code="TM-DONE", status=Status.REJECTED, languages=["ukr"], submitted_days_ago=5)
    client = client_for(area["coordinator"])
    url = reverse("requests:list")
    assert codes(client.get(url, {"status": "rejected"})) == ["TM-DONE"]
    assert codes(client.get(url, {"status": "", "language": "zho"})) == [chinese.case_code]
    assert codes(client.get(url, {"office": area["office"].pk})) == [arabic.case_code]
    assert codes(client.get(url, {"q": "zho"})) == [chinese.case_code]
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert codes(client.get(url, {"date_from": since})) == [chinese.case_code]
    assert codes(client.get(url, {"date_to": since})) == [arabic.case_code]
    # Languages are named in the user's language, and only those asked for appear.
    choices = dict(client.get(url).context["filter"].form.fields["language"].choices)
    assert choices["ara"] == "Arabo" and choices["zho"] == "Cinese" and "fra" not in choices


def test_the_office_filter_offers_only_visible_offices(area, client_for):
    response = client_for(area["coordinator"]).get(reverse("requests:list"), {"office": area["crema_office"].pk})
    assert response.status_code == 200
    assert response.context["filter"].form.errors  # a foreign office is not a choice
    offered = {o.pk for o in response.context["filter"].form.fields["office"].queryset}
    assert offered == {area["office"].pk, area["other_office"].pk}


def test_lists_never_show_sensitive_notes(area, client_for):
    req(area["office"], area["worker"], sensitive_notes=NOTES)
    for user in (area["worker"], area["coordinator"], area["staff"]):
        assert NOTES not in client_for(user).get(reverse("requests:list")).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "999999"},
        {"page": "-1"},
        {"date_from": "31-02-2026"},
        {"date_to": "2026-02-31"},
        {"office": "<script>"},
        {"district": "1 OR 1=1"},
        {"language": "xyz"},
        {"status": "robot"},
        {"q": "<script>alert(1)</script>"},
        {"q": "x" * 5000},
    ],
)
def test_hostile_query_strings_get_a_page_not_a_500(area, client_for, query):
    req(area["office"])
    for user in (area["worker"], area["coordinator"], area["staff"]):
        response = client_for(user).get(reverse("requests:list"), query)
        assert response.status_code == 200
        assert "<script>alert(1)" not in response.content.decode()


# --- The request page ---------------------------------------------------------------------------------------------


def test_sensitive_notes_are_shown_to_the_office_only(area, client_for):
    request = req(area["office"], area["worker"], sensitive_notes=NOTES)
    colleague = f.social_worker(office=area["office"])
    for user in (area["worker"], colleague):
        assert NOTES in client_for(user).get(request.get_absolute_url()).content.decode()
    for user in (area["coordinator"], area["staff"], f.administrator()):
        response = client_for(user).get(request.get_absolute_url())
        assert response.status_code == 200
        assert NOTES not in response.content.decode()


@pytest.mark.parametrize("who", ["crema_coordinator", "other_office_worker", "bergamo", "mediator", "funder"])
def test_outsiders_get_404_on_the_request_page(area, client_for, who):
    request = req(area["office"])
    users = {
        "crema_coordinator": area["crema_coordinator"],
        "other_office_worker": f.social_worker(office=area["other_office"]),
        "bergamo": f.coordinator(district=area["bergamo_office"].district),
        "mediator": f.mediator(districts=[area["cremona"]]),
        "funder": f.funder_viewer(funder=f.FunderFactory(provinces=[area["province"]])),
    }
    assert client_for(users[who]).get(request.get_absolute_url()).status_code == 404


def test_a_draft_is_a_404_for_the_coordinator(area, client_for):
    draft = req(area["office"], status=Status.DRAFT)
    assert client_for(area["coordinator"]).get(draft.get_absolute_url()).status_code == 404


def test_the_request_page_shows_proposed_times_in_rome_time_and_every_field(area, client_for):
    request = req(area["office"], area["worker"], languages=["ara:Darija", "fra"], place="Via Roma 1, Cremona")
    # 08:30 UTC on a winter day is 09:30 in Rome; 07:00 UTC in July is 09:00.
    ProposedSlot.objects.create(
        request=request,
        starts_at=datetime(2026, 1, 15, 8, 30, tzinfo=UTC),
        ends_at=datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
    )
    ProposedSlot.objects.create(
        request=request,
        starts_at=datetime(2026, 7, 2, 7, 0, tzinfo=UTC),
        ends_at=datetime(2026, 7, 2, 8, 0, tzinfo=UTC),
    )
    page = client_for(area["coordinator"]).get(request.get_absolute_url()).content.decode()
    assert "giovedì 15 gennaio 2026, 09:30–10:30" in page
    assert "giovedì 2 luglio 2026, 09:00–10:00" in page
    for text in ["Arabo · Darija", "Francese", "Via Roma 1, Cremona", request.goal, "Mediazione culturale"]:
        assert text in page


def test_the_timeline_shows_each_step_with_who_and_why(area, client_for):
    request = req(area["office"], area["worker"], status=Status.DRAFT)
    services.request_submit(actor=actor_for(area["worker"]), request=request)
    services.request_reject(actor=actor_for(area["coordinator"]), request=request, reason="Manca il consenso.")
    response = client_for(area["worker"]).get(request.get_absolute_url())
    timeline = response.content.decode().split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "Bozza" in timeline and "Inviata" in timeline and "Respinta" in timeline
    assert area["coordinator"].get_full_name() in timeline
    assert "Manca il consenso." in timeline
    assert timeline.index("Inviata") < timeline.index("Respinta")


def test_the_page_offers_only_the_actions_the_user_may_take(area, client_for):
    submitted = req(area["office"], area["worker"])
    draft = req(area["office"], area["worker"], status=Status.DRAFT)
    coordinator_page = client_for(area["coordinator"]).get(submitted.get_absolute_url())
    assert [t.name for t in coordinator_page.context["transitions"]] == ["reject", "accept", "cancel"]
    assert reverse("requests:transition", args=[submitted.pk, "accept"]) in coordinator_page.content.decode()
    assert 'name="reason"' in coordinator_page.content.decode()  # reject and cancel ask why
    worker = client_for(area["worker"])
    assert [t.name for t in worker.get(submitted.get_absolute_url()).context["transitions"]] == ["cancel"]
    draft_page = worker.get(draft.get_absolute_url())
    assert [t.name for t in draft_page.context["transitions"]] == ["submit", "cancel"]
    assert reverse("requests:edit", args=[draft.pk]) in draft_page.content.decode()
    assert reverse("requests:copy", args=[draft.pk]) not in draft_page.content.decode()  # a draft is edited
    assert reverse("requests:copy", args=[submitted.pk]) in worker.get(submitted.get_absolute_url()).content.decode()
    staff_page = client_for(area["staff"]).get(submitted.get_absolute_url())
    assert staff_page.context["transitions"] == []
    assert "requests:copy" not in staff_page.content.decode()
    assert reverse("requests:copy", args=[submitted.pk]) not in staff_page.content.decode()


# --- Transitions through the page ----------------------------------------------------------------------------------


def test_the_coordinator_takes_a_request_in_charge_from_its_page(area, client_for):
    request = req(area["office"], area["worker"])
    response = client_for(area["coordinator"]).post(reverse("requests:transition", args=[request.pk, "accept"]))
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    request.refresh_from_db()
    assert request.status == Status.MATCHING


def test_a_rejection_without_a_reason_is_a_message_and_changes_nothing(area, client_for):
    request = req(area["office"], area["worker"])
    response = client_for(area["coordinator"]).post(
        reverse("requests:transition", args=[request.pk, "reject"]), {"reason": "  "}
    )
    assert response.status_code == 302
    assert any("motivo" in text.lower() for text in message_texts(response))
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED and not request.history.exists()


def test_a_transition_the_user_may_not_take_is_a_message_not_a_500(area, client_for):
    request = req(area["office"], area["worker"])
    response = client_for(area["staff"]).post(reverse("requests:transition", args=[request.pk, "accept"]))
    assert response.status_code == 302
    assert message_texts(response)
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED


def test_unknown_actions_and_gets_are_refused(area, client_for):
    request = req(area["office"], area["worker"])
    client = client_for(area["coordinator"])
    assert client.post(reverse("requests:transition", args=[request.pk, "explode"])).status_code == 404
    assert client.get(reverse("requests:transition", args=[request.pk, "accept"])).status_code == 405
    assert client.post(reverse("requests:transition", args=[999999, "accept"])).status_code == 404


def test_a_coordinator_of_another_district_gets_404_and_changes_nothing(area, client_for):
    request = req(area["office"], area["worker"])
    response = client_for(area["crema_coordinator"]).post(
        reverse("requests:transition", args=[request.pk, "reject"]), {"reason": "No"}
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED


# --- The thread -----------------------------------------------------------------------------------------------------


def test_a_comment_of_the_office_notifies_the_coordinators(area, client_for, django_capture_on_commit_callbacks):
    request = req(area["office"], area["worker"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(area["worker"]).post(
            reverse("requests:comment", args=[request.pk]), {"body": "La famiglia preferisce il mattino."}
        )
    assert response.status_code == 302 and response["Location"].endswith("#thread")
    assert Comment.objects.get(request=request).body == "La famiglia preferisce il mattino."
    assert [n.recipient for n in Notification.objects.filter(kind="comment")] == [area["coordinator"]]


def test_a_comment_posted_with_htmx_returns_the_updated_thread(area, client_for):
    request = req(area["office"], area["worker"])
    response = client_for(area["coordinator"]).post(
        reverse("requests:comment", args=[request.pk]), {"body": "Ho trovato una mediatrice."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "requests_app/_thread.html"
    html = response.content.decode()
    assert html.lstrip().startswith("<section") and "Ho trovato una mediatrice." in html
    assert [n.recipient for n in Notification.objects.filter(kind="comment")] == [area["worker"]]


def test_an_empty_comment_is_refused_with_a_message(area, client_for):
    request = req(area["office"], area["worker"])
    client = client_for(area["worker"])
    response = client.post(reverse("requests:comment", args=[request.pk]), {"body": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Scrivi un messaggio." in response.content.decode()
    response = client.post(reverse("requests:comment", args=[request.pk]), {"body": ""})
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_province_staff_neither_read_nor_write_the_thread(area, client_for):
    request = req(area["office"], area["worker"])
    Comment.objects.create(request=request, author=area["worker"], body="Solo tra ufficio e coordinamento.")
    client = client_for(area["staff"])
    assert "Solo tra ufficio e coordinamento." not in client.get(request.get_absolute_url()).content.decode()
    response = client.post(reverse("requests:comment", args=[request.pk]), {"body": "Intrusione"})
    assert response.status_code == 302
    assert Comment.objects.count() == 1


# --- Request again ------------------------------------------------------------------------------------------------


def test_request_again_makes_a_draft_copy_with_a_new_case_code(area, client_for):
    original = req(
        area["office"], area["worker"], case_code="TM-2025-014", status=Status.CLOSED, languages=["ara:Darija"]
    )
    response = client_for(area["worker"]).post(reverse("requests:copy", args=[original.pk]))
    copy = MediationRequest.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("requests:edit", args=[copy.pk])
    assert (copy.status, copy.case_code, copy.copied_from) == (Status.DRAFT, "TM-2025-014-2", original)
    assert [(x.code, x.variant) for x in copy.languages.all()] == [("ara", "Darija")]
    # The copy's page says where it comes from, with a link to the original.
    page = client_for(area["worker"]).get(copy.get_absolute_url()).content.decode()
    assert f'Copiata da <a href="{original.get_absolute_url()}">TM-2025-014</a>' in page


def test_only_the_office_can_request_again(area, client_for):
    original = req(area["office"], area["worker"])
    response = client_for(area["coordinator"]).post(reverse("requests:copy", args=[original.pk]))
    assert response.status_code == 302 and response["Location"] == original.get_absolute_url()
    assert message_texts(response)
    assert MediationRequest.objects.count() == 1


# --- Notifications ------------------------------------------------------------------------------------------------


def notify(recipient, request, kind="comment", *, read=False, minutes_ago=0):
    n = Notification.objects.create(
        recipient=recipient, request=request, kind=kind, read_at=timezone.now() if read else None
    )
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return n


def test_the_notifications_page_lists_my_notifications_newest_first(area, client_for):
    request = req(area["office"], area["worker"], case_code="TM-NOTE")
    old = notify(area["worker"], request, "accepted", read=True, minutes_ago=30)
    new = notify(area["worker"], request, "comment", minutes_ago=1)
    notify(area["coordinator"], request, "submitted")  # someone else's
    response = client_for(area["worker"]).get(reverse("notifications:list"))
    assert list(response.context["page"]) == [new, old]
    page = response.content.decode()
    assert page.count('data-testid="notification"') == 2
    assert page.count("is-unread") == 1
    assert request.get_absolute_url() in page


def test_a_notification_links_to_its_request_only_while_the_user_may_see_it(area, client_for):
    visible_request = req(area["office"], case_code="TM-VISTA")
    moved = req(area["crema_office"], case_code="CREMA-NASCOSTA")
    notify(area["coordinator"], visible_request)
    notify(area["coordinator"], moved)  # e.g. sent before the coordinator changed district
    page = client_for(area["coordinator"]).get(reverse("notifications:list")).content.decode()
    assert visible_request.get_absolute_url() in page
    assert moved.get_absolute_url() not in page
    assert "non più visibile" in page


def test_the_header_counts_unread_notifications_and_mark_all_read_clears_it(area, client_for):
    request = req(area["office"], area["worker"])
    notify(area["worker"], request)
    notify(area["worker"], request)
    notify(area["worker"], request, read=True)
    client = client_for(area["worker"])
    home = client.get(reverse("home")).content.decode()
    assert "2 non lette" in home
    assert reverse("notifications:list") in home
    response = client.post(reverse("notifications:read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=area["worker"], read_at__isnull=True).exists()
    assert "non lette" not in client.get(reverse("home")).content.decode()


def test_mark_read_takes_some_ids_and_ignores_garbage_and_other_people(area, client_for):
    request = req(area["office"], area["worker"])
    mine = notify(area["worker"], request)
    other_mine = notify(area["worker"], request)
    theirs = notify(area["coordinator"], request)
    client = client_for(area["worker"])
    response = client.post(reverse("notifications:read"), {"ids": [str(mine.pk), str(theirs.pk), "abc", "9" * 30]})
    assert response.status_code == 302
    unread = set(Notification.objects.filter(read_at__isnull=True))
    assert unread == {other_mine, theirs}


def test_notifications_page_survives_a_bad_position(area, client_for):
    client = client_for(area["worker"])
    assert client.get(reverse("notifications:list"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("notifications:list"), {"dopo": "abc"}).status_code == 200


# --- Home and navigation -------------------------------------------------------------------------------------------


def cards_of(client) -> dict:
    return {card.key: card for card in client.get(reverse("home")).context["cards"]}


def test_home_counts_the_requests_waiting_for_each_role(area, client_for):
    today = timezone.localdate()
    req(area["office"], area["worker"], status=Status.DRAFT)
    req(area["office"], area["worker"], status=Status.DRAFT)
    req(area["office"], area["worker"])
    req(area["other_office"], urgency="urgent", deadline=today + timedelta(days=3))
    req(area["office"], area["worker"], status=Status.MATCHING)
    req(area["office"], area["worker"], status=Status.CLOSED)
    req(area["crema_office"])
    worker = cards_of(client_for(area["worker"]))
    assert (worker["request_drafts"].value, worker["requests_open"].value) == (2, 2)
    coordinator = cards_of(client_for(area["coordinator"]))
    assert coordinator["requests_waiting"].value == 2
    assert coordinator["requests_waiting"].text == "1 urgente"
    assert cards_of(client_for(area["staff"]))["requests_open"].value == 4


def test_requests_are_in_the_navigation_of_the_roles_that_have_them(area, client_for):
    link = f'href="{reverse("requests:list")}"'
    for user in (area["worker"], area["coordinator"], area["staff"]):
        assert link in client_for(user).get(reverse("home")).content.decode()
    assert link not in client_for(f.mediator()).get(reverse("home")).content.decode()


# --- Queries ------------------------------------------------------------------------------------------------------

# Every logged-in page after the first: the user; the memberships (role and the header's switch) and the unread
# counter are then kept in the shared cache; see tests/test_query_counts.py.
FRAME = 1
# The first page after the login also reads the memberships and counts the unread notifications.
FIRST_FRAME = FRAME + 2


def fill(area, rows: int) -> None:
    for n in range(rows):
        office = (area["office"], area["other_office"], area["crema_office"])[n % 3]
        req(office, area["worker"] if office == area["office"] else None, languages=["ara:Darija", "fra"])
        if n % 2:
            req(area["office"], area["worker"], status=Status.DRAFT, languages=["ukr"])


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # + the page of requests with office, district, mediator and languages, and their count (at most 1,001
        #   rows) in the same query. (The filter's languages come from the cache, per office: the office's ids are
        #   the user's.)
        ("worker", FRAME + 1),
        # + the district's offices (for the cached languages); the page with its count; the office menu.
        ("coordinator", FRAME + 3),
        # + the province's offices; the page with its count; the district and office menus.
        ("staff", FRAME + 4),
    ],
)
def test_the_list_page_queries_do_not_grow_with_rows(area, client_for, rows, who, expected, django_assert_num_queries):
    fill(area, rows)
    client = client_for(area[who])
    # The first page of the day computes the filter's languages of the offices (one more query), then keeps them.
    client.get(reverse("requests:list"))
    with django_assert_num_queries(expected):
        response = client.get(reverse("requests:list"), {"language": "ara"})
    assert response.context["page"].count > 0
    shown = [[(x.code, x.variant) for x in row.language_list] for row in response.context["page"].object_list]
    assert shown and all(languages == [("ara", "Darija"), ("fra", "")] for languages in shown)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_notifications_page_queries_do_not_grow_with_rows(area, client_for, rows, django_assert_num_queries):
    for n in range(rows):
        notify(area["worker"], req(area["office"], area["worker"]), read=bool(n % 2))
    client = client_for(area["worker"])
    # + the page of notifications with their request and actor (and one more, to know there is a next page, from
    #   the index of the recipient and the time); which of those requests are still visible. No count: the list
    #   shows none.
    with django_assert_num_queries(FIRST_FRAME + 2):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["page"]) == min(rows, 25)
    assert response.context["page"].has_next == (rows > 25)


def test_the_request_page_queries_do_not_grow_with_history_and_comments(area, client_for, django_assert_num_queries):
    request = req(area["office"], area["worker"])
    for n in range(10):
        Comment.objects.create(request=request, author=area["coordinator"], body=f"Messaggio {n}")
    client = client_for(area["worker"])
    # + the request with office, district, province, requester and source; its languages, countries, proposed times,
    #   history with who and comments with their authors, together (core/together.py); the read audit's row.
    with django_assert_num_queries(FIRST_FRAME + 3):
        client.get(request.get_absolute_url())


def test_dates_are_iso_in_the_filter_form(area, client_for):
    response = client_for(area["coordinator"]).get(reverse("requests:list"), {"date_from": date(2026, 3, 1)})
    assert 'value="2026-03-01"' in response.content.decode()
