"""Dates, times, numbers and money are written the way each interface language writes them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core import formatting

# 08:30 UTC on Friday 4 December 2026 is 09:30 in Italy (winter time).
FRIDAY_MORNING = dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.UTC)
# 07:30 UTC on Monday 6 July 2026 is 09:30 in Italy (summer time).
SUMMER_MONDAY = dt.datetime(2026, 7, 6, 7, 30, tzinfo=dt.UTC)


def test_italian_writes_weekdays_and_months_in_lower_case():
    with translation.override("it"):
        assert formatting.format_day(FRIDAY_MORNING) == "venerdì 4 dicembre 2026"
        assert formatting.format_month(dt.date(2026, 12, 1)) == "dicembre 2026"


def test_english_writes_the_day_before_the_month_on_a_24_hour_clock():
    with translation.override("en"):
        assert formatting.format_datetime(FRIDAY_MORNING) == "4 December 2026, 09:30"
        assert formatting.format_numeric_date(FRIDAY_MORNING) == "04/12/2026"


def test_aware_times_are_shown_in_italian_time_in_summer_and_in_winter():
    assert formatting.format_time(FRIDAY_MORNING, "it") == "09:30"
    assert formatting.format_time(SUMMER_MONDAY, "it") == "09:30"


def test_a_language_given_explicitly_wins_over_the_active_one():
    with translation.override("it"):
        assert formatting.format_day_time(FRIDAY_MORNING, "en") == "Friday 4 December 2026, 09:30"


def test_a_range_on_one_day_names_the_day_once():
    ends = FRIDAY_MORNING + dt.timedelta(minutes=90)
    assert formatting.format_time_range(FRIDAY_MORNING, ends, "it") == "venerdì 4 dicembre 2026, 09:30–11:00"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("it", "8.480,86\u00a0€"), ("en", "€8,480.86")],
)
def test_money_has_a_thousands_separator_and_the_sign_where_the_language_puts_it_never_alone_on_a_line(
    language, expected
):
    assert formatting.format_money(Decimal("8480.86"), language) == expected


def test_numbers_keep_the_decimals_asked_for():
    assert formatting.format_number(Decimal("20"), 1, "it") == "20,0"
    assert formatting.format_number(Decimal("1234.5"), 2, "en") == "1,234.50"
    assert formatting.format_percent(Decimal("12.5"), 1, "it") == "12,5%"


def test_empty_values_write_nothing_and_text_passes_through():
    assert formatting.format_day(None) == ""
    assert formatting.format_money(None) == ""
    assert formatting.format_number("< 3") == "< 3"


def test_the_template_filters_follow_the_page_language():
    template = Template("{% load formatting %}{{ when|day_time }} · {{ cost|money }} · {{ hours|number:1 }}")
    context = Context({"when": FRIDAY_MORNING, "cost": Decimal("1500"), "hours": Decimal("2.5")})
    with translation.override("it"):
        assert template.render(context) == "venerdì 4 dicembre 2026, 09:30 · 1.500,00\u00a0€ · 2,5"
    with translation.override("en"):
        assert template.render(context) == "Friday 4 December 2026, 09:30 · €1,500.00 · 2.5"


def test_an_amount_keeps_the_cents_it_carries_and_gets_a_thousands_separator():
    assert formatting.format_number(Decimal("8480.50"), language="it") == "8.480,50"
    assert formatting.format_number(Decimal("1800"), language="en") == "1,800"
    assert formatting.format_number(12.345, language="it") == "12,345"


def test_short_forms_name_weekdays_and_months_in_lower_case_in_italian():
    with translation.override("it"):
        assert formatting.format_weekday_date(FRIDAY_MORNING) == "ven 4 dic 2026"
        assert formatting.format_datetime_short(FRIDAY_MORNING) == "4 dic 2026, 09:30"
        assert formatting.format_day_month_weekday(FRIDAY_MORNING) == "venerdì 4 dicembre"
        assert formatting.format_month_short(FRIDAY_MORNING) == "dic 2026"
    with translation.override("en"):
        assert formatting.format_weekday_date(FRIDAY_MORNING) == "Fri 4 Dec 2026"
        assert formatting.format_weekday(FRIDAY_MORNING) == "Friday"


@settings(max_examples=400, deadline=None)
@given(
    number=st.one_of(
        st.integers(min_value=-(10**15), max_value=10**15),
        st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=4),
        st.decimals(min_value=-1, max_value=1, allow_nan=False, allow_infinity=False, places=6),
        st.floats(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False),
        st.floats(min_value=-1, max_value=1, allow_nan=False, allow_infinity=False),
    ),
    decimals=st.integers(min_value=0, max_value=3),
    language=st.sampled_from(["it", "en"]),
)
def test_a_number_with_fixed_decimals_reads_as_babel_writes_it(number, decimals, language):
    """The quick path of format_number for whole numbers, Decimals and floats writes what Babel's pattern would."""
    from babel import numbers as babel_numbers

    from core.formatting import babel_locale

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    expected = babel_numbers.format_decimal(
        number, format=pattern, locale=babel_locale(language), decimal_quantization=True
    )
    assert formatting.format_number(number, decimals, language=language) == expected
