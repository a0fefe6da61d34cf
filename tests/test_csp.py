"""Content Security Policy: every page carries the header, and no page holds a script the policy would block.

The policy allows scripts only from the portal's own static files ('self'), so an inline ``<script>`` body, an
``on…=`` handler, an ``hx-on`` attribute or a ``javascript:`` link would silently stop working in the browser.
Every GET page of the permission matrix is rendered as each demo user who may see it and read for them.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client

from .conftest import login_client
from .test_permissions import ANON, MATRIX, WHO, _matrix_world, objects  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

# <script type="application/json"> and friends hold data, not code: the browser never runs them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}

GET_ROWS = [row for row in MATRIX if row[1] == "get"]


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self._script_body: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            kind = (attributes.get("type") or "text/javascript").lower()
            self._in_script = "src" not in attributes and kind not in DATA_SCRIPT_TYPES
            self._script_body = []

    def handle_data(self, data):
        if self._in_script:
            self._script_body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            body = "".join(self._script_body).strip()
            if body:
                self.found.append(f"<script>{body[:80]}</script>")
            self._in_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_parser_finds_what_the_policy_blocks():
    html = (
        '<script>alert(1)</script><script src="/static/js/portal.js"></script>'
        '<script type="application/json">{"a": 1}</script><button onclick="x()">b</button>'
        '<div hx-on:click="x()"></div><a href="javascript:x()">a</a>'
    )
    assert inline_code(html) == [
        "<script>alert(1)</script>",
        "<button onclick=…>",
        "<div hx-on:click=…>",
        "<a href=javascript:…>",
    ]


@pytest.mark.parametrize("who", WHO)
def test_every_page_has_the_policy_and_no_inline_script(objects, who):  # noqa: F811
    client = Client() if who == ANON else login_client(objects["users"][who])
    checked, problems = 0, []
    for name, _method, url, expected in GET_ROWS:
        if expected.get(who) != 200:
            continue
        response = client.get(url(objects))
        assert response.status_code == 200, (name, who, response.status_code)
        policy = response.headers.get("Content-Security-Policy", "")
        if "script-src 'self'" not in policy or "unsafe" in policy.split("script-src", 1)[1].split(";", 1)[0]:
            problems.append(f"{name}: policy {policy!r}")
        if "html" in response.headers.get("Content-Type", ""):
            checked += 1
            problems += [f"{name}: {found}" for found in inline_code(response.content.decode())]
    assert not problems, "\n".join(problems)
    if who != ANON:
        assert checked >= 3, who


def test_the_policy_forbids_framing_plugins_and_foreign_scripts(client):
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


def test_the_policy_can_be_sent_as_report_only(settings):
    settings.CSP_REPORT_ONLY = True
    response = Client().get("/accounts/login/")
    assert "Content-Security-Policy" not in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy-Report-Only"]


def test_the_admin_pages_have_no_inline_script(demo_world):
    client = login_client(demo_world["users"]["admin"])
    for url in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{demo_world['users']['admin'].pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not inline_code(response.content.decode()), url


def test_the_mfa_pages_have_no_inline_script(demo_world):
    client = login_client(demo_world["users"]["coordinatore.cremona"])
    for url in ["/accounts/2fa/", "/accounts/reauthenticate/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not inline_code(response.content.decode()), url
