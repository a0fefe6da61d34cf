"""The first and the last page of the long lists (roster, request lists, notifications, read audit) read from SQL
compiled once per reader's scope and filters (core.pagination ``page(key=...)``, core.compiled): the rows are read
again at every view, each reader sees their own, a filter or an order is a shape of its own, and a query that reads
the day is never kept under a key that does not hold it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from core import compiled
from mediators.models import Mediator
from notifications.models import Notification
from requests_app.models import MediationRequest, Status

from . import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 19, 10, 0, tzinfo=UTC)  # a Thursday


@pytest.fixture(autouse=True)
def frozen_and_nothing_compiled_before():
    compiled.forget()
    with time_machine.travel(NOW, tick=False):
        yield
    compiled.forget()


def names(response) -> list[str]:
    assert response.status_code == 200
    return [f"{row.last_name} {row.first_name}" for row in response.context["page"]]


def roster_of(district, *surnames: str) -> list[Mediator]:
    return [f.MediatorFactory(last_name=surname, first_name="Ada", districts=[district]) for surname in surnames]


def test_a_roster_viewed_again_compiles_no_query_of_its_rows_and_still_shows_a_mediator_added_since(
    client_for, compilations
):
    district = f.DistrictFactory()
    roster_of(district, "Bianchi", "Rossi")
    client = client_for(f.coordinator(district=district))
    url = reverse("mediators:list")

    assert names(client.get(url)) == ["Bianchi Ada", "Rossi Ada"]
    compilations.clear()
    roster_of(district, "Conti")
    assert names(client.get(url)) == ["Bianchi Ada", "Conti Ada", "Rossi Ada"]
    assert Mediator not in compilations, "the roster's rows were compiled again"


def test_two_coordinators_of_different_districts_each_see_only_their_own_roster(client_for):
    north, south = f.DistrictFactory(), f.DistrictFactory()
    roster_of(north, "Nord")
    roster_of(south, "Sud")
    url = reverse("mediators:list")
    for _ in range(2):  # compiled, then from what was compiled
        assert names(client_for(f.coordinator(district=north)).get(url)) == ["Nord Ada"]
        assert names(client_for(f.coordinator(district=south)).get(url)) == ["Sud Ada"]


def test_a_search_and_an_order_are_each_a_list_of_their_own(client_for):
    district = f.DistrictFactory()
    roster_of(district, "Bianchi", "Conti", "Rossi")
    client = client_for(f.coordinator(district=district))
    url = reverse("mediators:list")

    assert names(client.get(url)) == ["Bianchi Ada", "Conti Ada", "Rossi Ada"]
    assert names(client.get(url, {"q": "Conti"})) == ["Conti Ada"]
    assert names(client.get(url, {"q": "Rossi"})) == ["Rossi Ada"]
    assert names(client.get(url, {"ordering": "-name"})) == ["Rossi Ada", "Conti Ada", "Bianchi Ada"]
    assert names(client.get(url)) == ["Bianchi Ada", "Conti Ada", "Rossi Ada"]


def test_the_last_page_is_kept_too_and_a_page_after_a_row_is_right(client_for, compilations):
    district = f.DistrictFactory()
    roster_of(district, *(f"Cognome{n:02d}" for n in range(30)))
    client = client_for(f.coordinator(district=district))
    url = reverse("mediators:list")

    first = client.get(url)
    assert len(names(first)) == 25 and first.context["page"].count == 30
    following = client.get(url + first.context["page"].next_url)
    assert names(following) == [f"Cognome{n:02d} Ada" for n in range(25, 30)]
    for _ in range(2):
        compilations.clear()
        last = client.get(url, {"ultima": "1"})
        assert names(last) == [f"Cognome{n:02d} Ada" for n in range(5, 30)]
        assert last.context["page"].has_previous and not last.context["page"].has_next
    assert Mediator not in compilations, "the last page was compiled again"


def test_each_reader_sees_only_their_own_notifications(client_for):
    anna, bruno = f.coordinator(), f.coordinator()
    Notification.objects.create(recipient=anna, kind=Notification.Kind.COMMENT)
    Notification.objects.create(recipient=bruno, kind=Notification.Kind.COMMENT)
    Notification.objects.create(recipient=bruno, kind=Notification.Kind.COMMENT)
    url = reverse("notifications:list")
    for _ in range(2):
        assert [n.recipient_id for n in client_for(anna).get(url).context["page"]] == [anna.pk]
        assert [n.recipient_id for n in client_for(bruno).get(url).context["page"]] == [bruno.pk, bruno.pk]


def test_each_district_queue_and_office_list_shows_its_own_requests_and_a_status_filter_its_own_rows(client_for):
    north, south = f.OfficeFactory(), f.OfficeFactory()
    start = NOW - timedelta(days=3)
    for office, prefix in ((north, "N"), (south, "S")):
        f.MediationRequestFactory(office=office, case_code=f"{prefix}-1", status=Status.SUBMITTED, submitted_at=start)
        f.MediationRequestFactory(office=office, case_code=f"{prefix}-2", status=Status.CLOSED, submitted_at=start)
    url = reverse("requests:list")

    def codes(user, **params) -> list[str]:
        response = client_for(user).get(url, params)
        assert response.status_code == 200
        return sorted(row.case_code for row in response.context["page"])

    for _ in range(2):
        assert codes(f.coordinator(district=north.district)) == ["N-1"]
        assert codes(f.coordinator(district=south.district)) == ["S-1"]
        assert codes(f.coordinator(district=north.district), status="closed") == ["N-2"]
        assert codes(f.social_worker(office=south)) == ["S-1", "S-2"]


def test_a_query_with_a_day_among_its_values_is_read_but_never_kept_under_a_key_that_holds_no_day(compilations):
    f.MediationRequestFactory(case_code="OLD", submitted_at=NOW - timedelta(days=10))
    f.MediationRequestFactory(case_code="NEW", submitted_at=NOW - timedelta(hours=1))

    def recent():
        return MediationRequest.objects.filter(submitted_at__gte=NOW - timedelta(days=1)).order_by("pk")

    for _ in range(2):
        compilations.clear()
        rows = compiled.rows_of(("recent",), recent, database="default", timeless=True)
        assert [row.case_code for row in rows] == ["NEW"]
        assert compilations == [MediationRequest], "compiled once for each call, never kept"
    compilations.clear()
    compiled.rows_of(("recent", "today"), recent, database="default")
    compiled.rows_of(("recent", "today"), recent, database="default")
    assert compilations == [MediationRequest], "kept when the caller says its key holds the day"


def test_a_filter_form_names_a_row_by_its_model_and_id_and_a_list_item_by_item():
    from accounts.models import District

    class Form:
        is_bound = True

        def __init__(self, **cleaned):
            self.cleaned_data = cleaned

        def is_valid(self):
            return True

    same_name = [District(pk=1, name="Centro"), District(pk=2, name="Centro")]
    assert compiled.form_key(Form(district=same_name[0])) != compiled.form_key(Form(district=same_name[1]))
    assert compiled.form_key(Form(status=["a", "b"])) != compiled.form_key(Form(status=["ab"]))
    assert compiled.form_key(Form(q="1")) != compiled.form_key(Form(q=1))


@pytest.mark.parametrize("who", ["coordinator", "social_worker", "province_staff", "administrator"])
def test_every_role_s_request_list_viewed_again_compiles_no_query_of_its_rows(who, client_for, compilations):
    office = f.OfficeFactory()
    f.MediationRequestFactory(office=office, status=Status.SUBMITTED, submitted_at=NOW - timedelta(days=1))
    user = {
        "coordinator": lambda: f.coordinator(district=office.district),
        "social_worker": lambda: f.social_worker(office=office),
        "province_staff": lambda: f.province_staff(province=office.district.province),
        "administrator": f.administrator,
    }[who]()
    client = client_for(user)
    assert len(client.get(reverse("requests:list")).context["page"]) == 1
    compilations.clear()
    assert len(client.get(reverse("requests:list")).context["page"]) == 1
    assert MediationRequest not in compilations


def test_the_notifications_and_the_read_audit_viewed_again_compile_no_query_of_their_rows(client_for, compilations):
    from audit.models import ReadEvent

    staff = f.province_staff()
    Notification.objects.create(recipient=staff, kind=Notification.Kind.COMMENT)
    client = client_for(staff)
    for url in (reverse("notifications:list"), reverse("audit:list")):
        client.get(url)
        compilations.clear()
        assert client.get(url).status_code == 200
        assert Notification not in compilations and ReadEvent not in compilations, url
