"""A short list of each row's related rows read in the row's own query, as one string (issue #17).

A list page shows, on each of its 25 rows, a few related values: a request's languages, a mediator's languages and
districts. ``prefetch_related`` reads them with one more query per list, and builds a model instance for each of
them; here they come in the row's own query, as a scalar subquery that joins the values of each related row with
control characters no code or name holds (``value<US>value<RS>…``), and :func:`items` reads them back. On
PostgreSQL ``STRING_AGG`` keeps the order asked for; SQLite's ``GROUP_CONCAT`` promises none, so a caller who shows
them sorted sorts the items it reads (``items(..., sort=True)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from django.db.models import Aggregate, QuerySet, Subquery, TextField

FIELD, ITEM = "\x1f", "\x1e"


class TextList(Aggregate):
    """The values of ``fields`` (text columns) of the grouped rows as one string, in the order of ``ordering`` on
    PostgreSQL."""

    output_field = TextField()

    def __init__(self, *fields: str, ordering: tuple[str, ...] = ()):
        self.width, self.length = len(fields), len(fields) + len(ordering)
        super().__init__(*fields, *ordering)

    def as_sql(self, compiler, connection, **extra):
        # An aggregate's source expressions end with its filter (and order): none here.
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()[: self.length]]
        values, order = compiled[: self.width], compiled[self.width :]
        item = f" || '{FIELD}' || ".join(f"COALESCE({sql}, '')" for sql, _params in values)
        params = [param for _sql, part in values for param in part]
        if connection.vendor == "postgresql":
            by = f" ORDER BY {', '.join(sql for sql, _params in order)}" if order else ""
            return f"STRING_AGG({item}, '{ITEM}'{by})", [*params, *(p for _sql, part in order for p in part)]
        return f"GROUP_CONCAT({item}, '{ITEM}')", params


def text_list(related: QuerySet, group: str, *fields: str, ordering: tuple[str, ...] = ()) -> Subquery:
    """An annotation: ``related`` (filtered on an ``OuterRef`` of the row) grouped by ``group``, its ``fields`` as one
    string (read back with :func:`items`)."""
    listed = related.order_by().values(group).annotate(listed=TextList(*fields, ordering=ordering)).values("listed")
    return Subquery(listed, output_field=TextField())


def items(listed: str | None, *, sort: bool = False) -> Iterator[tuple[str, ...]] | list[tuple[str, ...]]:
    """The items of a :class:`TextList` string, each a tuple of its fields' values (``''`` for a NULL)."""
    found = (tuple(item.split(FIELD)) for item in (listed or "").split(ITEM) if item)
    return sorted(found) if sort else found


class Named(NamedTuple):
    """An item of a list that shows only a name (a mediator's districts on a row): no model instance for each."""

    name: str
