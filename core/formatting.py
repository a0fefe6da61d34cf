"""One way to write dates, times, numbers and money, per interface language.

Django's own ``date`` filter takes month and weekday names from Django's catalog, which capitalises them in
Italian ("Giovedì 10 Dicembre 2026") where Italian writes "giovedì 10 dicembre 2026", and its English formats are
American (month first). These helpers use CLDR's patterns through Babel instead: Italian for ``it``, British English
(day first, 24-hour clock) for ``en``. Aware datetimes are shown in Europe/Rome (``TIME_ZONE``), whatever the
server's zone.

Every helper takes an optional ``language`` ("it" or "en"); without it, the active language of the request or of
the ``translation.override`` block around an e-mail.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from functools import lru_cache
from numbers import Number

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone, translation

# The CLDR locale behind each interface language: British English writes the day before the month.
BABEL_LOCALES = {"it": "it_IT", "en": "en_GB"}
DEFAULT_LOCALE = "it_IT"

# CLDR skeleton-free patterns, chosen so that both languages read naturally.
PATTERNS = {
    # giovedì 10 dicembre 2026 · Thursday 10 December 2026
    "day": "EEEE d MMMM y",
    # 10 dicembre 2026 · 10 December 2026
    "date": "d MMMM y",
    # 10 dic 2026 · 10 Dec 2026
    "date_short": "d MMM y",
    # gio 10 dic · Thu 10 Dec
    "weekday_short": "EEE d MMM",
    # gio 10 dic 2026 · Thu 10 Dec 2026
    "weekday_date": "EEE d MMM y",
    # giovedì 10 dicembre · Thursday 10 December
    "day_month_weekday": "EEEE d MMMM",
    # 10 dicembre · 10 December
    "day_month": "d MMMM",
    # giovedì · Thursday
    "weekday": "EEEE",
    # gio · Thu
    "weekday_abbr": "EEE",
    # dicembre 2026 · December 2026
    "month": "MMMM y",
    # dic 2026 · Dec 2026
    "month_short": "MMM y",
    # 10/12/2026 in both
    "numeric": "dd/MM/y",
    "time": "HH:mm",
}


def babel_locale(language: str | None = None) -> str:
    language = (language or translation.get_language() or "it").split("-")[0].lower()
    return BABEL_LOCALES.get(language, DEFAULT_LOCALE)


def _as_local(value):
    """A date stays a date; an aware datetime is moved to Europe/Rome; a naive one is taken as Italian time."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _pattern(value, pattern: str, language: str | None) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, (dt.date, dt.time)):
        # The same moments come back on every list (the same rows, read again): each written once per pattern,
        # language and time zone. An aware datetime is one instant whatever its offset: it shows in the current zone.
        aware = isinstance(value, dt.datetime) and timezone.is_aware(value)
        zone = str(timezone.get_current_timezone()) if aware else ""
        return _formatted(value, pattern, babel_locale(language), zone)
    return str(value)


@lru_cache(maxsize=8192)
def _formatted(value, pattern: str, locale: str, _zone: str) -> str:
    value = _as_local(value)
    if isinstance(value, dt.datetime):
        return babel_dates.format_datetime(value, pattern, locale=locale)
    if isinstance(value, dt.date):
        return babel_dates.format_date(value, pattern, locale=locale)
    return babel_dates.format_time(value, pattern, locale=locale)


def format_day(value, language: str | None = None) -> str:
    """giovedì 10 dicembre 2026 · Thursday 10 December 2026"""
    return _pattern(value, PATTERNS["day"], language)


def format_date(value, language: str | None = None) -> str:
    """10 dicembre 2026 · 10 December 2026"""
    return _pattern(value, PATTERNS["date"], language)


def format_date_short(value, language: str | None = None) -> str:
    """10 dic 2026 · 10 Dec 2026"""
    return _pattern(value, PATTERNS["date_short"], language)


def format_weekday_short(value, language: str | None = None) -> str:
    """gio 10 dic · Thu 10 Dec"""
    return _pattern(value, PATTERNS["weekday_short"], language)


def format_weekday_date(value, language: str | None = None) -> str:
    """gio 10 dic 2026 · Thu 10 Dec 2026"""
    return _pattern(value, PATTERNS["weekday_date"], language)


def format_day_month(value, language: str | None = None) -> str:
    """10 dicembre · 10 December (a week's first day, the year following at its end)"""
    return _pattern(value, PATTERNS["day_month"], language)


def format_day_month_weekday(value, language: str | None = None) -> str:
    """giovedì 10 dicembre · Thursday 10 December"""
    return _pattern(value, PATTERNS["day_month_weekday"], language)


def format_weekday(value, language: str | None = None) -> str:
    """giovedì · Thursday"""
    return _pattern(value, PATTERNS["weekday"], language)


def format_weekday_abbr(value, language: str | None = None) -> str:
    """gio · Thu"""
    return _pattern(value, PATTERNS["weekday_abbr"], language)


def format_month_short(value, language: str | None = None) -> str:
    """dic 2026 · Dec 2026"""
    return _pattern(value, PATTERNS["month_short"], language)


def format_month(value, language: str | None = None) -> str:
    """dicembre 2026 · December 2026"""
    return _pattern(value, PATTERNS["month"], language)


def format_numeric_date(value, language: str | None = None) -> str:
    """10/12/2026 in both languages (day first)."""
    return _pattern(value, PATTERNS["numeric"], language)


def format_time(value, language: str | None = None) -> str:
    """09:30"""
    return _pattern(value, PATTERNS["time"], language)


def format_datetime(value, language: str | None = None) -> str:
    """10 dicembre 2026, 09:30 · 10 December 2026, 09:30"""
    if value in (None, ""):
        return ""
    return f"{format_date(value, language)}, {format_time(value, language)}"


def format_datetime_short(value, language: str | None = None) -> str:
    """10 dic 2026, 09:30 · 10 Dec 2026, 09:30 (lists and "answer by" lines)"""
    if value in (None, ""):
        return ""
    return f"{format_date_short(value, language)}, {format_time(value, language)}"


def format_time_seconds(value, language: str | None = None) -> str:
    """09:30:15 (the audit log)"""
    return _pattern(value, "HH:mm:ss", language)


def format_day_time(value, language: str | None = None) -> str:
    """giovedì 10 dicembre 2026, 09:30 · Thursday 10 December 2026, 09:30"""
    if value in (None, ""):
        return ""
    return f"{format_day(value, language)}, {format_time(value, language)}"


def format_time_range(starts_at, ends_at, language: str | None = None) -> str:
    """giovedì 10 dicembre 2026, 09:30–11:00 (the end's day is left out when it is the same day)."""
    if starts_at in (None, "") or ends_at in (None, ""):
        return format_day_time(starts_at, language)
    start, end = _as_local(starts_at), _as_local(ends_at)
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime) and start.date() == end.date():
        return f"{format_day(start, language)}, {format_time(start, language)}–{format_time(end, language)}"
    return f"{format_day_time(start, language)} – {format_day_time(end, language)}"


def _as_number(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Number):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def format_number(value, decimals: int | None = None, language: str | None = None) -> str:
    """8.480,86 · 8,480.86; ``decimals`` fixes the digits after the separator (0 gives whole numbers).

    Without ``decimals``, a Decimal keeps the digits it carries (an amount stored as 8480.50 reads 8.480,50, not
    8.480,5); other numbers show at most three.
    """
    number = _as_number(value)
    if number is None:
        return "" if value is None else str(value)
    locale = babel_locale(language)
    if decimals is None and isinstance(number, Decimal) and number.is_finite():
        decimals = max(0, -number.as_tuple().exponent)
    if decimals is None:
        return babel_numbers.format_decimal(number, locale=locale)
    if isinstance(number, float) and math.isfinite(number):
        number = Decimal(str(number))  # as Babel reads a float (NumberPattern.apply)
    if isinstance(number, (int, Decimal)) and not isinstance(number, bool) and Decimal(number).is_finite():
        return _grouped(Decimal(number), decimals, locale)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(number, format=pattern, locale=locale, decimal_quantization=True)


@lru_cache(maxsize=8)
def _symbols(locale: str) -> tuple[str, str, str]:
    return (
        babel_numbers.get_group_symbol(locale),
        babel_numbers.get_decimal_symbol(locale),
        babel_numbers.get_minus_sign_symbol(locale),
    )


def _grouped(number: Decimal, decimals: int, locale: str) -> str:
    """What ``format_decimal(number, "#,##0.00…", locale, decimal_quantization=True)`` writes, without Babel's
    parsing of the pattern at every call (a timesheet formats some fifty numbers: most of its template's time):
    rounded half-even, the locale's group and decimal symbols. tests/test_formatting.py holds the two equal."""
    group, point, minus = _symbols(locale)
    text = f"{number:,.{decimals}f}"  # 8,480.86: Python's symbols, swapped below
    negative = text.startswith("-")
    text = text.lstrip("-").replace(",", "\x00").replace(".", point).replace("\x00", group)
    return f"{minus}{text}" if negative else text  # -0,00 for a small negative amount, as Babel writes it


def format_money(value, language: str | None = None) -> str:
    """8.480,86 € · €8,480.86: always two decimals, the sign where the language puts it."""
    number = _as_number(value)
    if number is None:
        return "" if value is None else str(value)
    return babel_numbers.format_currency(number, "EUR", locale=babel_locale(language))


def format_percent(value, decimals: int = 1, language: str | None = None) -> str:
    """12,5 % · 12.5%: ``value`` is already a percentage (12.5, not 0.125)."""
    number = _as_number(value)
    if number is None:
        return "" if value is None else str(value)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    # Babel multiplies by 100 for a percent pattern: give it the fraction.
    return babel_numbers.format_percent(
        Decimal(str(number)) / 100, format=pattern, locale=babel_locale(language), decimal_quantization=True
    )
