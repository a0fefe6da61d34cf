"""Pages of a long list found by where the last one ended (keyset pagination), not by counting rows from the top.

``OFFSET 10000`` makes the database read and throw away ten thousand rows before the page; a page found by the
values of its neighbour's last row, ``WHERE (sort key, id) > (values of that row)``, starts where an index says,
so the last page of a list costs what the first one does. It is also stable: a row added or removed while someone
pages never makes a row appear twice or slip between two pages (only a row added *behind* the reader is not
shown, as on any page already read).

The order is a short list of keys, all ascending or all descending, ending with the primary key so that no two rows
tie. Keys must never be NULL (wrap a nullable column in ``Coalesce``), and a list that wants to be fast at depth
needs an index on the same expressions in the same order. Links keep the list's filters: the page reads its
position from ``?dopo=`` (after this row), ``?prima=`` (before this row) or ``?ultima=1`` (the last page), and
builds the others from the rest of the query string.

The count under a list is cheap and honest: counted up to ``count_limit`` rows, then "more than 1,000".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import BooleanField, Expression, F, IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.http import QueryDict
from django.utils import timezone

from . import compiled

AFTER, BEFORE, LAST = "dopo", "prima", "ultima"
# Where the count under a list stops: beyond it the list says "more than 1,000", which is all a person needs to know.
COUNT_LIMIT = 1000
CURSOR_PARAMETERS = (AFTER, BEFORE, LAST, "page")


class RowCompare(Expression):
    """``(a, b, c) > (x, y, z)``: a comparison of rows, which PostgreSQL and SQLite answer from an index on (a, b, c)
    by seeking, where the same test written with OR and AND is read row by row."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, lhs: Sequence, operator: str, rhs: Sequence):
        if operator not in ("<", ">"):
            raise ValueError(operator)
        if len(lhs) != len(rhs) or not lhs:
            raise ValueError("Both rows must have the same number of values.")
        super().__init__()
        self.lhs, self.operator, self.rhs = list(lhs), operator, list(rhs)

    def get_source_expressions(self):
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, expressions):
        self.lhs, self.rhs = list(expressions[: len(self.lhs)]), list(expressions[len(self.lhs) :])

    def as_sql(self, compiler, connection):
        parts = [compiler.compile(expression) for expression in (*self.lhs, *self.rhs)]
        left, right = parts[: len(self.lhs)], parts[len(self.lhs) :]
        sql = "({}) {} ({})".format(
            ", ".join(sql for sql, _params in left), self.operator, ", ".join(sql for sql, _params in right)
        )
        return sql, tuple(param for _sql, params in parts for param in params)


class _RowsOf(Subquery):
    """The rows of a subquery spread out again, one per row of the query around it (PostgreSQL)."""

    template = "unnest(ARRAY(%(subquery)s))"
    output_field = IntegerField()


class _CountOf(Subquery):
    """How many rows a (limited) subquery has, as a value of each row of the query around it: not correlated, so the
    database counts once for the whole query (PostgreSQL's InitPlan, SQLite's once-only subquery)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _values_in(expressions) -> list:
    """The values written into the keys' expressions (``Coalesce("deadline", Value(NO_DEADLINE))``): constants of the
    list's order, never of the day."""
    found = []
    for expression in expressions:
        if isinstance(expression, Value):
            found.append(expression.value)
        found.extend(_values_in(getattr(expression, "get_source_expressions", list)()))
    return found


def _encode(values: Sequence) -> str:
    def plain(value):
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    raw = json.dumps([plain(value) for value in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, fields: Sequence) -> list | None:
    """The values of a cursor read back with the keys' own fields; None for anything that is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4))
        values = json.loads(raw)
    except (UnicodeError, ValueError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != len(fields):
        return None
    parsed = []
    for value, output_field in zip(values, fields, strict=True):
        if isinstance(value, dict | list) or value is None:
            return None
        try:
            value = output_field.to_python(value)
        except (ValidationError, TypeError, ValueError, OverflowError):
            return None
        if isinstance(value, datetime) and timezone.is_naive(value):
            return None
        parsed.append(value)
    return parsed


def _without_position(query: QueryDict) -> QueryDict:
    kept = query.copy()
    for name in CURSOR_PARAMETERS:
        kept.pop(name, None)
    return kept


@dataclass
class KeysetPage:
    """One page: its rows, whether there are others before and after it, and the links to them."""

    object_list: list
    has_previous: bool
    has_next: bool
    count: int
    count_limit: int
    first_url: str = ""
    previous_url: str = ""
    next_url: str = ""
    last_url: str = ""

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def count_is_capped(self) -> bool:
        """More rows than were counted: the list says "more than ``count_limit``"."""
        return self.count > self.count_limit


class KeysetPaginator:
    """Pages of ``queryset`` in the order of ``keys`` (field names or expressions, never NULL) then the primary key.

    ``descending`` orders every key from the largest; ``count_limit`` is where the count stops (0: no count).

    ``partition`` (a field and a queryset of its values, such as ``("office_id", offices)``) reads each part in the
    list's order on its own, from an index that starts with that field, and keeps the first rows of all of them
    (on PostgreSQL: one query, a correlated subquery per part). A province's list then costs a few rows per office
    however its rows lie among the region's, where one index over the whole region would be walked past the other
    provinces' rows first. Without it, or on SQLite, the page is read in the list's order directly.
    """

    def __init__(
        self,
        queryset: QuerySet | Callable[[], QuerySet],
        keys: Sequence[str | Expression],
        *,
        model: type[Model] | None = None,
        descending: bool = False,
        per_page: int = 25,
        count_limit: int | None = None,
        partition: tuple[str, QuerySet] | None = None,
    ):
        if isinstance(queryset, QuerySet):
            self._queryset, self._build, self.database = queryset, None, queryset.db
        else:
            # A function making the queryset (of ``model``), called only when the page needs it: not for a first or
            # last page read from SQL compiled before (``page(key=...)``).
            self._queryset, self._build, self.database = None, queryset, router.db_for_read(model)
        self.partition = partition
        self.descending = descending
        self.per_page = per_page
        self.count_limit = COUNT_LIMIT if count_limit is None else count_limit
        self.keys = [F(key) if isinstance(key, str) else key for key in keys] + [F("pk")]
        self.names = [f"_keyset_{n}" for n in range(len(self.keys))]

    @property
    def queryset(self) -> QuerySet:
        if self._queryset is None:
            self._queryset = self._build()
        return self._queryset

    def _annotated(self) -> QuerySet:
        return self.queryset.annotate(**dict(zip(self.names, self.keys, strict=True)))

    def _fields(self, queryset: QuerySet) -> list:
        return [queryset.query.annotations[name].output_field for name in self.names]

    def _ordered(self, queryset: QuerySet, *, backwards: bool) -> QuerySet:
        descending = self.descending != backwards
        return queryset.order_by(*(F(name).desc() if descending else F(name).asc() for name in self.names))

    def _beyond(self, queryset: QuerySet, values: list, *, backwards: bool) -> QuerySet:
        """The rows after (or, ``backwards``, before) the row with these key values, in the list's order."""
        fields = self._fields(queryset)
        operator = "<" if self.descending != backwards else ">"
        rhs = [Value(value, output_field=output_field) for value, output_field in zip(values, fields, strict=True)]
        return queryset.filter(RowCompare([key.copy() for key in self.keys], operator, rhs))

    def page(self, query: QueryDict, *, key: tuple | None = None) -> KeysetPage:
        """The page the query string asks for (the first one when its position is missing or not one of ours).

        ``key``: every value the paginator's queryset is made of (the reader's scope, the filters' values, the order);
        with it the first and the last page are read by SQL compiled once per key (core.compiled, issue #17), a page
        from a row's position the ordinary way."""
        after = before = None
        if query.get(AFTER) or query.get(BEFORE):
            queryset = self._annotated()
            fields = self._fields(queryset)
            after = _decode(query.get(AFTER, ""), fields) if query.get(AFTER) else None
            before = _decode(query.get(BEFORE, ""), fields) if query.get(BEFORE) and after is None else None
        last = query.get(LAST) == "1" and after is None and before is None
        backwards = before is not None or last

        def build() -> QuerySet:
            annotated = self._annotated()
            positioned = annotated
            if after is not None:
                positioned = self._beyond(annotated, after, backwards=False)
            elif before is not None:
                positioned = self._beyond(annotated, before, backwards=True)
            rows = self._first_rows(annotated, positioned, backwards=backwards)
            if self.count_limit:
                # The count comes with the page's rows, in the same query.
                rows = rows.annotate(_keyset_count=_CountOf(self._counted()))
            return rows

        if key is not None and after is None and before is None:
            shape = ("keyset", *key, *map(str, self.keys), last, self.descending, self.per_page, self.count_limit)
            constants = tuple(_values_in(self.keys))
            rows = compiled.rows_of(shape, build, database=self.database, timeless=True, constants=constants)
        else:
            rows = list(build())
        if not rows and (after is not None or before is not None):
            # Nothing beyond that row any more (the rows after it were removed): start again from the top.
            return self.page(_without_position(query))
        more = len(rows) > self.per_page
        if before is not None and not more:
            # Back at the top of the list: show its first page, whole (the rows before this one may be fewer).
            return self.page(_without_position(query))
        rows = rows[: self.per_page]
        if backwards:
            rows.reverse()
            has_previous, has_next = more, not last
        else:
            has_previous, has_next = after is not None, more
        count = rows[0]._keyset_count if self.count_limit and rows else 0
        page = KeysetPage(
            object_list=rows,
            has_previous=has_previous,
            has_next=has_next,
            count=count,
            count_limit=self.count_limit,
        )
        self._links(page, query)
        return page

    def _first_rows(self, queryset: QuerySet, positioned: QuerySet, *, backwards: bool) -> QuerySet:
        """The page's rows and one more: ``positioned`` is ``queryset`` past the page's position, if any."""
        wanted = self.per_page + 1
        positioned = self._ordered(positioned, backwards=backwards)
        if self.partition is None or connections[queryset.db].vendor != "postgresql":
            return positioned[:wanted]
        field, parts = self.partition
        # Each part's first rows in the list's order (an index seek each), then the first of all of them, read by
        # their ids: the position is in the parts' queries only, so that the database starts from those few ids.
        per_part = positioned.filter(**{field: OuterRef("pk")}).values("pk")[:wanted]
        candidates = parts.order_by().annotate(_keyset_row=_RowsOf(per_part)).values("_keyset_row")
        return self._ordered(queryset.filter(pk__in=candidates), backwards=backwards)[:wanted]

    def _counted(self) -> QuerySet:
        # At most count_limit + 1 rows are counted: a long list costs no more to count than a short one.
        return self.queryset.order_by().values("pk")[: self.count_limit + 1]

    def _cursor(self, row) -> str:
        return _encode([getattr(row, name) for name in self.names])

    def _links(self, page: KeysetPage, query: QueryDict) -> None:
        kept = _without_position(query)

        def url(**position) -> str:
            target = kept.copy()
            for name, value in position.items():
                target[name] = value
            encoded = target.urlencode()
            return f"?{encoded}" if encoded else "?"

        if page.has_previous and page.object_list:
            page.first_url = url()
            page.previous_url = url(**{BEFORE: self._cursor(page.object_list[0])})
        if page.has_next and page.object_list:
            page.next_url = url(**{AFTER: self._cursor(page.object_list[-1])})
            page.last_url = url(**{LAST: "1"})
