"""Every GET page of the permission matrix, as every demo user, with hostile query strings: never a 500.

Each page is asked with the names of its own query fields (read from its GET forms and its links) and the usual
ones (page, data, vista, q, …), all set to one hostile value at a time: non-numbers, huge and negative pages, script
tags, impossible dates, NUL bytes, very long values, repeated and unknown parameters.
"""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client

from .conftest import login_client
from .test_permissions import ANON, MATRIX, _matrix_world, objects  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

GET_ROWS = [row for row in MATRIX if row[1] == "get"]

HOSTILE = [
    "abc",
    "-1",
    "999999999",
    "<script>alert(1)</script>",
    "2026-02-31",
    "\x00' OR 1=1 --",
    "x" * 5000,
]
USUAL_NAMES = [
    "page",
    "data",
    "vista",
    "mediatore",
    "q",
    "sort",
    "ordine",
    "status",
    "stato",
    "lingua",
    "language",
    "district",
    "ambito",
    "from",
    "to",
    "dal",
    "al",
    "year",
    "month",
    "next",
    "row",
    "search",
    "format",
    "unknown_filter",
]


class QueryNames(HTMLParser):
    """Names of the fields of the page's GET forms and the query parameters of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._in_get_form = (attributes.get("method") or "get").lower() == "get"
        elif tag in {"input", "select", "textarea"} and self._in_get_form and attributes.get("name"):
            self.names.add(attributes["name"])
        elif tag == "a" and "?" in (attributes.get("href") or ""):
            self.names.update(name for name, _value in parse_qsl(urlsplit(attributes["href"]).query))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def query_names(html: str) -> set[str]:
    parser = QueryNames()
    parser.feed(html)
    return {name for name in parser.names if re.fullmatch(r"[\w.-]{1,60}", name)}


# One user of each role (the outsiders of the matrix differ only in scope, which the matrix itself covers).
ROLES = [ANON, "assistente.cremona", "coordinatore.cremona", "mediatore.cremona", "provincia.cremona", "asl.cremona"]
ROLES += ["admin"]


@pytest.mark.parametrize("who", ROLES)
def test_no_page_answers_500_to_hostile_query_strings(objects, who):  # noqa: F811
    client = Client(raise_request_exception=False) if who == ANON else login_client(objects["users"][who])
    client.raise_request_exception = False
    failures = []
    seen = set()
    for name, _method, url_of, _expected in GET_ROWS:
        url = url_of(objects)
        base = url.split("?", 1)[0]
        if base in seen:
            continue  # the same page with other filters: the hostile values replace them anyway
        seen.add(base)
        first = client.get(url)
        names = set(USUAL_NAMES)
        if first.status_code == 200 and "html" in first.headers.get("Content-Type", ""):
            names |= query_names(first.content.decode())
        names |= {key for key, _value in parse_qsl(urlsplit(url).query)}
        # A page this user may not open answers before reading the query: one hostile value is enough there.
        for value in HOSTILE if first.status_code == 200 else HOSTILE[3:4]:
            query = urlencode([(key, value) for key in sorted(names)])
            response = client.get(f"{base}?{query}")
            if response.status_code >= 500:
                failures.append(f"{name} ({base}) with {value[:30]!r}: {response.status_code}")
        # The same parameter many times, and a query string that is not key=value at all.
        for query in ["page=1&page=abc&page=-5&%ZZ=%ZZ&&&==&page[]=1&data[]=x&data=2026-13-01&page=1.5"]:
            response = client.get(f"{base}?{query}")
            if response.status_code >= 500:
                failures.append(f"{name} ({base}) with {query!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
