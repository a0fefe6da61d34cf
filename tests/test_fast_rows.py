"""What a list row pays for, made cheap without changing what it shows: an object's address (core/urls.py) and its
dates (core/formatting.py keeps each written moment)."""

import datetime as dt

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone, translation

from core.formatting import format_datetime_short
from core.urls import pk_url
from mediazione.navigation import ITEMS
from timesheets.models import sheet_url

NAMES = ["requests:detail", "scheduling:appointment", "scheduling:series", "sessions:report", "mediators:detail"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 42, 987654321, 2**63 - 1])
def test_an_address_by_id_is_the_one_reverse_gives(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_an_address_follows_the_script_prefix_of_a_portal_served_under_a_path():
    try:
        set_script_prefix("/servizi/")
        assert pk_url("requests:detail", 7) == reverse("requests:detail", args=[7]) == "/servizi/richieste/7/"
    finally:
        clear_script_prefix()
    assert pk_url("requests:detail", 7) == "/richieste/7/"


def test_an_address_and_the_menu_follow_another_urlconf_once_it_is_set(settings):
    assert pk_url("requests:detail", 7) == "/richieste/7/"
    item = next(item for item in ITEMS if item.url_name == "requests:list")
    assert item.url == "/richieste/"
    settings.ROOT_URLCONF = "tests.urls_under_a_path"
    assert pk_url("requests:detail", 7) == reverse("requests:detail", args=[7]) == "/portale/richieste/7/"
    assert item.url == "/portale/richieste/"


def test_a_moment_kept_once_written_still_shows_in_the_zone_and_language_of_the_page():
    moment = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 or 03:30 in Italy: the night the clocks go back
    with translation.override("it"):
        rome = format_datetime_short(moment)
        with timezone.override("America/New_York"):
            new_york = format_datetime_short(moment)
        assert format_datetime_short(moment) == rome
    with translation.override("en"):
        english = format_datetime_short(moment)
    assert (rome, new_york, english) == ("25 ott 2026, 02:30", "24 ott 2026, 21:30", "25 Oct 2026, 02:30")


@pytest.mark.parametrize(
    ("name", "extra"),
    [("sheet", ()), ("act", ("submit",)), ("act", ("send_back",)), ("export", ("csv",)), ("export", ("xlsx",))],
)
@pytest.mark.parametrize(("mediator", "district"), [(1, 1), (42, 7), (987654321987, 987654321988)])
@pytest.mark.parametrize("month", [dt.date(2026, 1, 1), dt.date(2026, 12, 1), dt.date(2099, 12, 1)])
def test_a_timesheets_addresses_are_the_ones_reverse_gives(name, extra, mediator, district, month):
    assert sheet_url(mediator, district, month, name, *extra) == reverse(
        f"timesheets:{name}", args=[mediator, district, month, *extra]
    )


def test_a_timesheets_address_follows_the_script_prefix_and_the_urlconf(settings):
    month = dt.date(2026, 11, 1)
    try:
        set_script_prefix("/servizi/")
        assert sheet_url(3, 4, month, "act", "approve") == "/servizi/fogli-ore/3/4/2026-11/approve/"
    finally:
        clear_script_prefix()
    settings.ROOT_URLCONF = "tests.urls_under_a_path"
    expected = "/portale/fogli-ore/3/4/2026-11/"
    assert sheet_url(3, 4, month) == reverse("timesheets:sheet", args=[3, 4, month]) == expected
