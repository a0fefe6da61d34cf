"""The rows of the session reports' tables are written by Python (sessions_app/templatetags/report_rows.py) exactly
as their template wrote them: that template is kept as the reference (tests/report_row_reference.html), and both write
the same reports, of every outcome and state, with and without the batch's checkboxes, in Italian and in English."""

import datetime as dt

import pytest
from django.template import Context
from django.utils import translation

from scheduling.models import Appointment
from sessions_app.models import SessionReport
from sessions_app.selectors import work_lists
from sessions_app.templatetags.report_rows import report_rows

from . import factories as f
from .reference_html import normal, reference

REFERENCE = reference("report_row_reference.html")
S = SessionReport.Status
O = SessionReport.Outcome  # noqa: E741


def _reports():
    """Reports of every state and outcome, at moments that test Rome's time (midnight, the clocks going back), for
    an office and a mediator whose names need escaping, read as the list reads them."""
    office = f.OfficeFactory(name='Tutela "Minori" & <Nord>')
    coordinator = f.coordinator(district=office.district)
    mediator = f.MediatorFactory(first_name="<i>Amal</i>", last_name="D'Angelo & co", districts=[office.district])
    request = f.MediationRequestFactory(office=office, status="scheduled", case_code='TM-<2026>-"1"')
    kinds = [
        (S.SUBMITTED, O.HELD, dt.datetime(2026, 10, 24, 22, 30, tzinfo=dt.UTC)),  # 00:30 in Rome
        (S.CONFIRMED, O.FAMILY_ABSENT, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)),  # the night the clocks go back
        (S.VALIDATED, O.HELD, dt.datetime(2026, 3, 2, 8, 5, tzinfo=dt.UTC)),
        (S.SUBMITTED, "lost", dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC)),  # an outcome no list knows
    ]
    reports = []
    for status, outcome, at in kinds:
        appointment = Appointment.objects.create(
            request=request, mediator=mediator, starts_at=at, ends_at=at + dt.timedelta(hours=1), created_by=coordinator
        )
        reports.append(
            SessionReport.objects.create(
                appointment=appointment,
                started_at=at,
                ended_at=at + dt.timedelta(hours=1),
                status=status,
                outcome=outcome,
                written_by=coordinator,
                **({"validated_by": coordinator, "validated_at": at} if status == S.VALIDATED else {}),
            )
        )
    read = {
        report.pk: report
        for report in SessionReport.objects.select_related("appointment__request__office", "appointment__mediator")
    }
    rows = [read[report.pk] for report in reports]
    for number, row in enumerate(rows):
        row.selectable = number % 2 == 0
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("batch_form", ["", "batch-confirm"])
def test_every_kind_of_report_is_written_as_the_template_wrote_it(language, batch_form):
    rows = _reports()
    with translation.override(language):
        written = normal(report_rows(rows, batch_form, "Nessuno & <altro>"))
        expected = normal(REFERENCE.render(Context({"reports": rows, "batch_form": batch_form, "empty": "x"})))
    assert written == expected
    assert written.count('<tr data-testid="report-row">') == 4
    assert written.count('data-testid="batch-box"') == (2 if batch_form else 0)
    assert "TM-&lt;2026&gt;-&quot;1&quot; · Tutela &quot;Minori&quot; &amp; &lt;Nord&gt;" in written
    assert "&lt;i&gt;Amal&lt;/i&gt; D&#x27;Angelo &amp; co" in written
    assert ("dom 25 ott 2026 00:30" if language == "it" else "Sun 25 Oct 2026 00:30") in written  # Rome's time


@pytest.mark.django_db
@pytest.mark.parametrize("batch_form", ["", "batch-validate"])
def test_an_empty_list_says_so_in_one_row_across_the_table(batch_form):
    written = normal(report_rows([], batch_form, "Nessun resoconto & <altro>"))
    expected = normal(
        REFERENCE.render(Context({"reports": [], "batch_form": batch_form, "empty": "Nessun resoconto & <altro>"}))
    )
    assert written == expected
    assert written == f'<tr><td colspan="{6 if batch_form else 5}">Nessun resoconto &amp; &lt;altro&gt;</td></tr>'


@pytest.mark.django_db
def test_the_coordinators_list_page_writes_its_reports_with_their_boxes(client):
    rows = _reports()
    coordinator = f.coordinator(district=rows[0].appointment.request.office.district)
    client.force_login(coordinator)
    html = client.get("/resoconti/").content.decode()
    lists = work_lists(user=coordinator)
    shown = sum(len(lists.get(name, [])) for name in ("to_confirm", "to_validate", "waiting", "recent"))
    assert shown and html.count('data-testid="report-row"') == shown
