"""Template filters for dates, times, numbers and money in the page's language (see core.formatting).

{% load formatting %}
{{ appointment.starts_at|day_time }}   giovedì 10 dicembre 2026, 09:30
{{ sheet.cost|money }}                 8.480,86 €
"""

from django import template

from core import formatting

register = template.Library()

register.filter("day", formatting.format_day)
register.filter("date_long", formatting.format_date)
register.filter("date_short", formatting.format_date_short)
register.filter("weekday_short", formatting.format_weekday_short)
register.filter("weekday_date", formatting.format_weekday_date)
register.filter("weekday", formatting.format_weekday)
register.filter("weekday_abbr", formatting.format_weekday_abbr)
register.filter("day_month", formatting.format_day_month)
register.filter("day_month_weekday", formatting.format_day_month_weekday)
register.filter("month_year_short", formatting.format_month_short)
register.filter("month_year", formatting.format_month)
register.filter("numeric_date", formatting.format_numeric_date)
register.filter("time_of_day", formatting.format_time)
register.filter("datetime_long", formatting.format_datetime)
register.filter("day_time", formatting.format_day_time)
register.filter("datetime_short", formatting.format_datetime_short)
register.filter("time_seconds", formatting.format_time_seconds)
register.filter("money", formatting.format_money)


@register.filter
def number(value, decimals=None):
    """{{ x|number }} as it comes, {{ x|number:2 }} with two decimals."""
    return formatting.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def percent(value, decimals=1):
    return formatting.format_percent(value, int(decimals))


@register.simple_tag
def time_range(starts_at, ends_at):
    return formatting.format_time_range(starts_at, ends_at)
