"""The notifications' rows are written by Python (notifications/templatetags/notification_rows.py) exactly as the
list's template wrote them: that template is kept as the reference (tests/notification_row_reference.html), and both
write the same page of notifications, read and unread, of many kinds, in Italian and in English."""

import datetime as dt

import pytest
from django.template import Context
from django.utils import translation

from notifications import selectors
from notifications.models import Notification
from notifications.templatetags.notification_rows import notification_rows

from . import factories as f
from .reference_html import normal, reference

REFERENCE = reference("notification_row_reference.html")
TOKEN = '<input type="hidden" name="csrfmiddlewaretoken" value="tok-123">'
K = Notification.Kind


def _at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_row_is_written_as_the_template_wrote_it(language):
    district = f.DistrictFactory(name="Nord & <Est>")
    office = f.OfficeFactory(district=district, name='Servizio "Famiglie" & <Minori>')
    me = f.coordinator(district=district, first_name="Carla", last_name="Coordinatrice")
    actor = f.UserFactory(first_name="<b>Anna</b>", last_name='"Rossi"')
    no_name = f.UserFactory(first_name="", last_name="", email="senza.nome&co@example.org")
    seen = f.MediationRequestFactory(office=office, case_code='TM-2026-<1>&"a"', status="submitted")
    gone = f.MediationRequestFactory(office=office, case_code="TM-2026-<2>", status="submitted")
    session = {
        "starts_at": "2026-07-10T07:30:00+00:00",
        "ends_at": "2026-07-10T09:00:00+00:00",
        "place": 'Via Dante 12 & "Corte" <B>',
        "mode": "in_person",
        "mediator": "Amina <Benali>",
    }
    series = {**session, "series": 7, "count": 3, "last_starts_at": "2026-07-24T07:30:00+00:00"}
    rows = [
        # (kind, request, actor, details, read, created at)
        (K.SUBMITTED, seen, actor, {}, False, _at(2026, 1, 15, 8, 5, 3, 123456)),  # winter, microseconds
        (K.OFFER, seen, None, {}, True, _at(2026, 7, 10, 22, 30)),  # summer time: the next day in Rome
        (K.COMMENT, gone, no_name, {}, False, _at(2026, 3, 29, 0, 59, 59, 1)),  # an hour before summer time
        (K.APPOINTMENT, seen, actor, {**session, "appointment": 41}, False, _at(2026, 3, 29, 1, 0)),
        (K.SERIES, gone, None, series, True, _at(2026, 10, 25, 0, 30)),  # summer time's last hour
        (K.REPORT_SENT_BACK, seen, actor, {**session, "report": 12}, False, _at(2026, 10, 25, 1, 30, 0, 500)),
        (K.COMPLETED, seen, None, {}, False, _at(2026, 12, 31, 23, 0)),
        (K.APPOINTMENT_CANCELLED, None, actor, {}, False, _at(2026, 5, 1, 12, 0)),  # no request, no facts
        (K.EVALUATED, None, None, {}, True, _at(2026, 5, 2, 12, 0)),
        ("retired_kind", seen, None, {}, False, _at(2026, 5, 3, 12, 0)),  # a kind no longer among the choices
    ]
    for kind, request, by, details, read, created_at in rows:
        n = Notification.objects.create(
            recipient=me, request=request, kind=kind, actor=by, details=details, read_at=created_at if read else None
        )
        Notification.objects.filter(pk=n.pk).update(created_at=created_at)
    page = list(selectors.notification_list(user=me).order_by("pk"))
    reachable = selectors.reachable_request_ids(user=me, notifications=page) - {gone.pk}
    assert len(page) == len(rows) and seen.pk in reachable
    with translation.override(language):
        written = normal(notification_rows(Context({"csrf_token": "tok-123"}), page, reachable))
        context = Context({"page": page, "reachable": reachable, "csrf_token": "tok-123"})
        expected = normal(REFERENCE.render(context))
    assert written == expected
    assert written.count('data-testid="notification"') == len(rows)
    assert written.count(TOKEN) == written.count("is-unread") == 7
    # In Rome's time, microseconds kept: winter, summer, the first hour of summer time and the repeated last hour.
    for iso in ("01-15T09:05:03.123456+01:00", "07-11T00:30:00+02", "03-29T03:00:00+02", "10-25T02:30:00.000500+01"):
        assert f'datetime="2026-{iso}' in written
    assert "TM-2026-&lt;1&gt;&amp;&quot;a&quot;" in written and "&lt;b&gt;Anna&lt;/b&gt; &quot;Rossi&quot;" in written
    assert "Via Dante 12 &amp; &quot;Corte&quot; &lt;B&gt;" in written and "senza.nome&amp;co@example.org" in written
    assert ("non più visibile" if language == "it" else "no longer visible") in written
    assert ("11 luglio 2026, 00:30" if language == "it" else "11 July 2026, 00:30") in written


@pytest.mark.django_db
def test_an_empty_page_writes_no_row():
    assert notification_rows(Context({"csrf_token": "tok-123"}), [], set()) == ""
