"""Counting the public guide's page views per province, language and month, with nothing personal.

No address, no cookie, no identifier, no time of day: a view adds one to the counter of its province, language and
month, and that is all that is kept. Robots (a simple check of the User-Agent) and the browser's prefetches are not
counted.

Cheap by construction: one statement per view, an upsert on the counter's unique key
(``INSERT … ON CONFLICT … DO UPDATE SET views = views + 1``, PostgreSQL and SQLite alike). The statement is atomic on
its own (no ``transaction.atomic`` around it: it would only add a savepoint to each page), two concurrent views of
the same month both count (the database serialises the row), and no lost update is possible. A buffer in the cache
flushed by Celery beat was considered and not chosen: it saves one indexed write of a few microseconds per view, but
loses counts when a process or Redis restarts, needs a lock between processes, and the guide's traffic (a few
thousand views a month per province) is nowhere near where one write per view matters.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.utils import timezone

from accounts.models import Province

from ..models import PageView

# Crawlers, link previews, monitors, command-line clients and headless browsers say who they are (most of them).
ROBOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|preview|monitor|uptime|lighthouse|headless|"
    r"curl|wget|python|java/|httpclient|okhttp|go-http|libwww|scrapy|feedfetcher",
    re.IGNORECASE,
)


def is_robot(user_agent: str) -> bool:
    """A request without a User-Agent, or one that names a robot: not a reader."""
    return not user_agent.strip() or bool(ROBOT.search(user_agent))


def page_view_count(
    *, province: Province, language: str, user_agent: str, prefetch: bool = False, on: dt.date | None = None
) -> bool:
    """Count one view of the province's public guide in ``language`` (ISO 639-3; "ita" for Italian) in the month of
    ``on`` (today in Italy). False, and nothing written, for a robot or a prefetch."""
    if prefetch or is_robot(user_agent or ""):
        return False
    month = (on or timezone.localdate()).replace(day=1)
    table = connection.ops.quote_name(PageView._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (province_id, language, month, views) VALUES (%s, %s, %s, 1) "  # noqa: S608 - the table's own name
            f"ON CONFLICT (province_id, language, month) DO UPDATE SET views = {table}.views + 1",
            [province.pk, language[:3], connection.ops.adapt_datefield_value(month)],
        )
    return True
