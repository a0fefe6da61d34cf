"""Long lists are paged by position (core.pagination): every row once and in order, forwards and backwards, stable
while requests are filed, filters kept from page to page, hostile positions harmless, an honest count."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from core import pagination
from core.pagination import KeysetPaginator
from requests_app.models import MediationRequest, Status

from . import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
START = NOW - timedelta(days=30)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def area():
    province = f.ProvinceFactory()
    district = f.DistrictFactory(province=province)
    office = f.OfficeFactory(district=district)
    other_office = f.OfficeFactory(district=district)
    return {
        "office": office,
        "other_office": other_office,
        "worker": f.social_worker(office=office),
        "coordinator": f.coordinator(district=district),
        "staff": f.province_staff(province=province),
    }


def filed(office, requester, count: int, *, prefix: str, first: int = 0, **fields) -> list[MediationRequest]:
    """``count`` requests (submitted unless ``status`` says otherwise), the n-th submitted n hours after START: the
    newest is the last one."""
    fields.setdefault("status", Status.SUBMITTED)
    return [
        f.MediationRequestFactory(
            office=office,
            requester=requester,
            case_code=f"{prefix}-{n:03d}",
            submitted_at=START + timedelta(hours=n),
            **fields,
        )
        for n in range(first, first + count)
    ]


def codes(response) -> list[str]:
    assert response.status_code == 200
    return [r.case_code for r in response.context["page"]]


def read_all(client, url: str, *, link: str = "next_url", params=None) -> list[list[str]]:
    """Follow the pages' links (next or previous) from the page asked, collecting each page's codes."""
    response = client.get(url, params or {})
    pages = [codes(response)]
    path = url.partition("?")[0]
    while getattr(response.context["page"], link):
        response = client.get(path + getattr(response.context["page"], link))
        pages.append(codes(response))
        assert len(pages) < 20, "the links go round in circles"
    return pages


def test_the_province_list_is_read_page_by_page_once_each_newest_first_and_back_again(area, client_for):
    filed(area["office"], area["worker"], 60, prefix="A")
    client = client_for(area["staff"])
    url = reverse("requests:list")
    forward = read_all(client, url)
    assert [len(page) for page in forward] == [25, 25, 10]
    assert sum(forward, []) == [f"A-{n:03d}" for n in range(59, -1, -1)]
    # Going back from the third page gives the same pages, in reverse.
    third = client.get(url).context["page"]
    third = client.get(url + client.get(url + third.next_url).context["page"].next_url)
    assert read_all(client, url + third.context["page"].previous_url, link="previous_url") == forward[-2::-1]
    # The last page holds the oldest 25; back from it, every request once, up to the list's first page.
    last = client.get(url + client.get(url).context["page"].last_url)
    assert codes(last) == [f"A-{n:03d}" for n in range(24, -1, -1)]
    assert not last.context["page"].has_next and last.context["page"].has_previous
    backward = read_all(client, url, link="previous_url", params={"ultima": "1"})
    assert backward[1] == [f"A-{n:03d}" for n in range(49, 24, -1)]
    assert backward[-1] == forward[0] and not client.get(url).context["page"].has_previous


def test_a_request_filed_while_someone_pages_is_neither_repeated_nor_skipped(area, client_for):
    filed(area["office"], area["worker"], 60, prefix="A")
    client = client_for(area["staff"])
    url = reverse("requests:list")
    first = client.get(url)
    page_one = codes(first)
    # Meanwhile: a new request (the newest: on the page already read) and one that falls on a page still to come.
    f.MediationRequestFactory(
        office=area["office"], requester=area["worker"], case_code="NEW", status=Status.SUBMITTED, submitted_at=NOW
    )
    f.MediationRequestFactory(
        office=area["office"],
        requester=area["worker"],
        case_code="LATE",
        status=Status.SUBMITTED,
        submitted_at=START + timedelta(hours=10, minutes=30),
    )
    rest = read_all(client, url + first.context["page"].next_url)
    seen = page_one + sum(rest, [])
    # Numbered pages would show the last request of page 1 again at the top of page 2: here page 2 starts after it.
    assert rest[0][0] == "A-034"
    assert len(seen) == len(set(seen)) == 61
    assert seen.count("LATE") == 1 and seen.index("LATE") == seen.index("A-011") + 1
    assert "NEW" not in seen  # filed on a page already read: the next visit to the first page shows it
    assert codes(client.get(url))[0] == "NEW"


def test_filters_are_kept_from_page_to_page(area, client_for):
    filed(area["office"], area["worker"], 30, prefix="A")
    filed(area["other_office"], f.social_worker(office=area["other_office"]), 30, prefix="B", first=30)
    client = client_for(area["coordinator"])
    url = reverse("requests:list")
    response = client.get(url, {"office": area["office"].pk, "q": "A-0"})
    next_url = response.context["page"].next_url
    query = parse_qs(urlsplit(next_url).query)
    assert query["office"] == [str(area["office"].pk)] and query["q"] == ["A-0"] and "dopo" in query
    pages = read_all(client, url, params={"office": area["office"].pk, "q": "A-0"})
    assert sorted(sum(pages, [])) == [f"A-{n:03d}" for n in range(30)]
    # The filter form starts again from the first page: it carries no position.
    assert 'name="dopo"' not in response.content.decode()


def test_the_queue_keeps_its_order_across_pages_even_between_equal_dates(area, client_for):
    today = NOW.date()
    # Urgent ones first by deadline, then the others by deadline (none last), then the oldest; ties by id.
    urgent = filed(area["office"], area["worker"], 20, prefix="U", urgency="urgent", deadline=today + timedelta(3))
    dated = filed(area["office"], area["worker"], 10, prefix="D", first=20, deadline=today + timedelta(9))
    same_day = [
        f.MediationRequestFactory(
            office=area["office"],
            requester=area["worker"],
            case_code=f"S-{n:03d}",
            status=Status.MATCHING,
            submitted_at=START,
        )  # fmt: skip
        for n in range(30)
    ]
    closed = filed(area["office"], area["worker"], 5, prefix="C", first=60, status=Status.COMPLETED)
    pages = read_all(client_for(area["coordinator"]), reverse("requests:list"))
    seen = sum(pages, [])
    assert seen == [r.case_code for r in urgent + dated + same_day]
    assert not {r.case_code for r in closed} & set(seen)  # completed: under "To close", not work in progress


@pytest.mark.parametrize(
    "query",
    [
        {"dopo": "abc"},
        {"dopo": "W10"},  # base64 of a JSON list of the wrong length
        {"dopo": "WyJ4IiwgMV0"},  # ["x", 1]: not a date
        {"prima": "eyJhIjoxfQ"},  # {"a":1}
        {"prima": "WzEsMiwzLDQsNV0" * 100},
        {"ultima": "2"},
        {"page": "7"},  # the old numbered pages: the first page
    ],
)
def test_a_position_that_is_not_ours_shows_the_first_page(area, client_for, query):
    filed(area["office"], area["worker"], 30, prefix="A")
    client = client_for(area["staff"])
    response = client.get(reverse("requests:list"), query)
    assert codes(response) == codes(client.get(reverse("requests:list")))


def test_the_count_stops_at_the_limit_and_says_more_than(area, client_for, monkeypatch):
    filed(area["office"], area["worker"], 7, prefix="A")
    client = client_for(area["staff"])
    assert "7 richieste trovate" in client.get(reverse("requests:list")).content.decode()
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)
    response = client.get(reverse("requests:list"))
    assert response.context["page"].count_is_capped
    assert "Più di 5 richieste trovate" in response.content.decode()


def test_the_roster_pages_through_namesakes_in_a_stable_order(area, client_for):
    provider = f.ProviderFactory(province=area["office"].district.province)
    made = [
        f.MediatorFactory(provider=provider, districts=[area["office"].district], last_name="Rossi", first_name=name)
        for name in ["Anna"] * 20 + ["Bruno"] * 20
    ]
    client = client_for(area["coordinator"])
    url = reverse("mediators:list")
    response = client.get(url)
    pages = [[m.pk for m in response.context["page"]]]
    while response.context["page"].next_url:
        response = client.get(url + response.context["page"].next_url)
        pages.append([m.pk for m in response.context["page"]])
    assert [len(page) for page in pages] == [25, 15]
    assert sum(pages, []) == [m.pk for m in made]  # by name, then first name, then in the order they were added
    descending = client.get(url, {"ordering": "-name"})
    last = client.get(url + descending.context["page"].last_url)
    assert [m.pk for m in last.context["page"]] == [m.pk for m in made[:25]][::-1]


def test_the_paginator_on_its_own_reads_ascending_and_descending_keys(area):
    requests = filed(area["office"], area["worker"], 12, prefix="A")
    queryset = MediationRequest.objects.all()
    page = KeysetPaginator(queryset, ["submitted_at"], per_page=5, count_limit=10).page(_query())
    assert [r.pk for r in page] == [r.pk for r in requests[:5]]
    assert page.count == 11 and page.count_is_capped
    second = KeysetPaginator(queryset, ["submitted_at"], per_page=5).page(_query(page.next_url))
    assert [r.pk for r in second] == [r.pk for r in requests[5:10]]
    newest = KeysetPaginator(queryset, ["submitted_at"], descending=True, per_page=5).page(_query())
    assert [r.pk for r in newest] == [r.pk for r in requests[::-1][:5]]
    assert date(2026, 2, 14) == requests[0].submitted_at.date()


def _query(url: str = "?"):
    from django.http import QueryDict

    return QueryDict(urlsplit(url).query)
