"""A timesheet's lines are written by Python (timesheets/templatetags/line_rows.py) exactly as the pages' template
wrote them: that template is kept as the reference (tests/timesheet_lines_reference.html), and both write the same
lines of a real sheet, in Italian and in English, in the pages' time zone, with and without the link to write a
missing report and the cost's column."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context
from django.urls import reverse
from django.utils import timezone, translation

from requests_app.models import MediationRequest
from timesheets import selectors
from timesheets.templatetags.line_rows import sheet_line_rows

from . import report_factories as rf
from . import timesheet_factories as tf
from .conftest import login_client
from .reference_html import normal, reference

REFERENCE = reference("timesheet_lines_reference.html")
ROME = ZoneInfo("Europe/Rome")
MONTH = dt.date(2026, 3, 1)
TODAY = dt.datetime(2026, 4, 15, 10, 0, tzinfo=ROME)  # March is over: its reports can be written
# 23:30 UTC on 10 March: already Wednesday 11 March (00:30) in Rome, in winter time.
NIGHT = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
CODE = 'TM<b>&"x"'
OFFICE = '<b>Servizio & "Minori"</b>'


def _sheet() -> tuple[rf.World, selectors.Sheet]:
    """A mediator's March, one line of each kind, read as the pages read it (timesheets.selectors.build_sheets)."""
    with time_machine.travel(TODAY, tick=False):
        world = rf.make_world(sessions=0)
        world.office.name = OFFICE
        world.office.save(update_fields=["name"])
        MediationRequest.objects.filter(pk=world.request.pk).update(case_code=CODE)
        world.request.refresh_from_db()
        tf.rate(world.mediator.provider, valid_from=dt.date(2026, 3, 5))  # the first days of March have no rate
        tf.appointment_on(world.request, dt.date(2026, 3, 3))  # no report and no rate
        held = tf.appointment_on(world.request, dt.date(2026, 3, 11))
        held.starts_at, held.ends_at = NIGHT, NIGHT + dt.timedelta(hours=1)  # near midnight
        held.save(update_fields=["starts_at", "ends_at"])
        rf.write(world, held)  # a report sent: its link and its status
        tf.appointment_on(world.request, dt.date(2026, 3, 12), status="cancelled", late_cancellation=True)  # "—"
        tf.appointment_on(world.request, dt.date(2026, 3, 13))  # no report, with a rate
        absent = tf.appointment_on(world.request, dt.date(2026, 3, 16), hour=15)
        # A draft: its link too.
        rf.write(world, absent, submit=False, outcome="family_absent", outcome_reason="La famiglia non è venuta")
    sheet = selectors.build_sheets(pairs=[(world.mediator, world.district)], month=MONTH)[0]
    return world, sheet


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("write_reports", [False, True])
@pytest.mark.parametrize("costs", [False, True])
def test_every_kind_of_line_is_written_as_the_template_wrote_it(language, write_reports, costs):
    _world, sheet = _sheet()
    assert [line.billing for line in sheet.lines] == [
        "no_report", "held", "late_cancellation", "no_report", "family_absent",
    ]  # fmt: skip
    assert [line.cost is None for line in sheet.lines] == [True, False, False, False, False]
    actions = {"write_reports": write_reports, "costs": costs}
    with translation.override(language), timezone.override("Europe/Rome"):
        written = normal(sheet_line_rows(sheet, actions))
        expected = normal(REFERENCE.render(Context({"sheet": sheet, "actions": actions})))
    assert written == expected
    it = language == "it"
    assert written.count("<tr>") == 5
    assert written.count("&lt;b&gt;Servizio &amp; &quot;Minori&quot;&lt;/b&gt;") == 5
    assert written.count("TM&lt;b&gt;&amp;&quot;x&quot;") == 5
    assert ("mer 11 mar, 00:30" if it else "Wed 11 Mar, 00:30") in written  # the time in Rome, not in UTC
    assert ("mar 10 mar" not in written) and ("Tue 10 Mar" not in written)
    reports = [line.report for line in sheet.lines if line.report]
    for report in reports:
        assert f'<a href="{report.get_absolute_url()}">' in written
    assert ("Inviata" if it else "Submitted") in written and ("Bozza" if it else "Draft") in written
    no_report = "Nessun resoconto" if it else "No report"
    assert written.count(f">{no_report}<") == 2
    missing = [line.appointment for line in sheet.lines if line.billing == "no_report"]
    links = [f'<a href="{reverse("sessions:report_write", args=[a.pk])}">{no_report}</a>' for a in missing]
    assert all((link in written) is write_reports for link in links)
    assert "<td>—</td>" in written
    assert ("Disdetto all&#x27;ultimo momento: dovuto" if it else "Cancelled late: owed") in written
    assert ("1,25" if it else "1.25") in written and ("12,5" if it else "12.5") in written
    assert ("3,40" if it else "3.40") in written
    no_rate = '<span class="text-danger">' + ("nessuna tariffa" if it else "no rate") + "</span>"
    assert written.count(no_rate) == (1 if costs else 0)  # the first line has no rate: only its cost says so
    assert written.count('<td class="text-end">') == 5 * (5 if costs else 4)


@pytest.mark.django_db
def test_a_sheet_without_lines_writes_no_row():
    assert sheet_line_rows(selectors.Sheet(mediator=None, district=None, month=MONTH), {"costs": True}) == ""


@pytest.mark.django_db
def test_the_pages_write_the_lines_and_still_say_when_a_month_has_none():
    world, sheet = _sheet()
    coordinator, mediator = login_client(world.coordinator), login_client(world.mediator_user)
    with time_machine.travel(TODAY, tick=False):
        march = coordinator.get(reverse("timesheets:sheet", args=[world.mediator.pk, world.district.pk, MONTH]))
        february = coordinator.get(
            reverse("timesheets:sheet", args=[world.mediator.pk, world.district.pk, dt.date(2026, 2, 1)])
        )
        mine = mediator.get(reverse("timesheets:mine") + "?mese=2026-03")
    html = march.content.decode()
    assert "mer 11 mar, 00:30" in html and "Nessun incontro in questo mese." not in html
    assert html.count("&lt;b&gt;Servizio &amp; &quot;Minori&quot;&lt;/b&gt;") == 5
    assert "nessuna tariffa" in html  # a coordinator sees the costs
    assert '<td colspan="10">Nessun incontro in questo mese.</td>' in normal(february.content.decode())
    own = mine.content.decode()
    write = reverse("sessions:report_write", args=[sheet.lines[0].appointment.pk])
    assert f'<a href="{write}">Nessun resoconto</a>' in own and "mer 11 mar, 00:30" in own
    assert "nessuna tariffa" not in own  # a mediator never sees the costs
