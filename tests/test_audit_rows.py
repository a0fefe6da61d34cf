"""The read audit's rows are written by Python (audit/templatetags/audit_rows.py) exactly as the list's template wrote
them: that template is kept as the reference (tests/audit_row_reference.html), and both write the same entries, in
Italian and in English, for province staff and for an administrator (who sees the province column)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context
from django.utils import translation

from audit.models import ReadEvent
from audit.templatetags.audit_rows import audit_rows
from audit.views import _object_url

from . import factories as f
from .reference_html import normal, reference

REFERENCE = reference("audit_row_reference.html")
ROME = ZoneInfo("Europe/Rome")


def _entries():
    province = f.ProvinceFactory(name="Cremona & <Crema>")
    named = f.UserFactory(first_name="Giulia", last_name="<i>Rossi</i>", email="giulia@example.org")
    nameless = f.UserFactory(first_name="", last_name="", email="senza.nome@example.org")
    at = dt.datetime(2026, 3, 29, 1, 59, 58, 123456, tzinfo=dt.UTC)  # 03:59:58 in Rome, the night the clocks move
    events = [
        ReadEvent(user=named, role="social_worker", kind=ReadEvent.Kind.REQUEST, object_type="requests_app.x",
                  object_id=41, province=province, path_hash="a" * 64, at=at),
        ReadEvent(user=nameless, role="", kind=ReadEvent.Kind.EXPORT, what='Richieste "marzo" <xlsx>',
                  province=None, path_hash="b" * 64, at=at - dt.timedelta(days=40, seconds=1)),
        ReadEvent(user=named, role="coordinator", kind=ReadEvent.Kind.ERASURE, object_id=7, province=province,
                  path_hash="0123456789abcdef" * 4, at=at + dt.timedelta(hours=20)),
        ReadEvent(user=named, role="province_staff", kind=ReadEvent.Kind.OWN_DATA, object_id=0, province=province,
                  path_hash="c" * 64, at=at),
    ]  # fmt: skip
    ReadEvent.objects.bulk_create(events)
    return [(event, _object_url(event)) for event in ReadEvent.objects.select_related("user", "province")]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("is_admin", [False, True])
def test_every_kind_of_entry_is_written_as_the_template_wrote_it(language, is_admin):
    rows = _entries()
    with translation.override(language):
        written = normal(audit_rows(rows, is_admin))
        expected = normal(REFERENCE.render(Context({"rows": rows, "actor": {"is_admin": is_admin}})))
    assert written == expected
    assert written.count('data-testid="audit-row"') == 4
    assert "&lt;i&gt;Rossi&lt;/i&gt;" in written and "Richieste &quot;marzo&quot; &lt;xlsx&gt;" in written
    assert "03:59:58" in written  # the time in Rome, not in UTC
    assert ("Cremona &amp; &lt;Crema&gt;" in written) is is_admin


@pytest.mark.django_db
def test_an_empty_page_writes_no_row():
    assert audit_rows([], False) == ""
