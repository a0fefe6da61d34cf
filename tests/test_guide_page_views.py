"""The public guide counts its page views per province, language and month, and nothing else: no cookie is set, no
address or identifier is stored, robots are not counted, and counting costs one statement."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guide import services
from guide.models import PageView

from . import factories as f
from .guide_factories import published_entry

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
ADDRESS = "203.0.113.57"


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    services.reference_data_seed()


@pytest.fixture
def entry():
    district = f.DistrictFactory(province=f.ProvinceFactory(name="Provincia di Cremona", slug="cremona"))
    return published_entry(district=district, service__name="Consultorio familiare")


def _read(url, user_agent=FIREFOX, **query):
    return Client().get(url, query, HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ADDRESS)


def _counts():
    return {(v.province.slug, v.language, v.month.isoformat()): v.views for v in PageView.objects.all()}


@time_machine.travel(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC))  # already December in Italy
def test_each_view_of_the_list_and_of_an_entry_adds_one_to_its_language_and_italian_month(entry):
    province = reverse("guide_public:province", args=["cremona"])
    _read(province)
    _read(province, lingua="ara")
    _read(province, lingua="ara", q="medico")
    _read(reverse("guide_public:entry", args=["cremona", entry.pk]), lingua="ara")
    _read(province, lingua="klingon")  # not a language of the guide: the Italian guide is what was read
    assert _counts() == {("cremona", "ita", "2026-12-01"): 2, ("cremona", "ara", "2026-12-01"): 3}


def test_months_are_counted_apart(entry):
    province = reverse("guide_public:province", args=["cremona"])
    with time_machine.travel(dt.datetime(2026, 10, 15, 10, tzinfo=dt.UTC)):
        _read(province)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)):
        _read(province)
        _read(province)
    assert _counts() == {("cremona", "ita", "2026-10-01"): 1, ("cremona", "ita", "2026-11-01"): 2}


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
    ],
)
def test_robots_are_not_counted(entry, user_agent):
    response = _read(reverse("guide_public:province", args=["cremona"]), user_agent=user_agent)
    assert response.status_code == 200
    assert not PageView.objects.exists()


def test_a_prefetch_a_missing_page_and_a_draft_are_not_counted(entry):
    Client().get(
        reverse("guide_public:province", args=["cremona"]), HTTP_USER_AGENT=FIREFOX, HTTP_SEC_PURPOSE="prefetch"
    )
    assert _read(reverse("guide_public:province", args=["nowhere"])).status_code == 404
    draft = published_entry(district=entry.district)
    draft.is_public = False
    draft.save()
    assert _read(reverse("guide_public:entry", args=["cremona", draft.pk])).status_code == 404
    assert not PageView.objects.exists()


def test_the_guide_sets_no_cookie_and_stores_nothing_personal(entry):
    urls = [
        reverse("guide_public:index"),
        reverse("guide_public:province", args=["cremona"]),
        reverse("guide_public:entry", args=["cremona", entry.pk]),
    ]
    for url in urls:
        response = _read(url, lingua="ara")
        assert response.status_code == 200
        assert not response.cookies, f"{url} set {list(response.cookies)}"
        assert "Set-Cookie" not in response.headers
    # What was written is a counter: no address, no user agent, no page, no time of day.
    rows = list(PageView.objects.values())
    assert rows == [
        {
            "id": rows[0]["id"],
            "province_id": entry.province_id,
            "language": "ara",
            "month": rows[0]["month"],
            "views": 2,
        }
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM guide_pageview")
        stored = repr(cursor.fetchall())
    assert ADDRESS not in stored and "Firefox" not in stored


def test_counting_a_view_is_one_statement_the_first_of_the_month_too(entry):
    province = entry.province
    with CaptureQueriesContext(connection) as first:
        services.page_view_count(province=province, language="ara", user_agent=FIREFOX)
    with CaptureQueriesContext(connection) as second:
        services.page_view_count(province=province, language="ara", user_agent=FIREFOX)
    assert len(first) == len(second) == 1
    assert PageView.objects.get().views == 2


def test_someone_not_logged_in_switches_the_language_without_a_token_a_logged_in_user_needs_one(entry):
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(reverse("accounts:set_language"), {"language": "en", "next": "/guida/cremona/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    user = Client(enforce_csrf_checks=True)
    user.force_login(f.coordinator(district=entry.district))
    assert user.post(reverse("accounts:set_language"), {"language": "en", "next": "/"}).status_code == 403
