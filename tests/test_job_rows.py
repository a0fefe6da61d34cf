"""The rows of the list of reports asked for are written by Python (reporting/templatetags/job_rows.py) exactly as the
list's template wrote them: that template is kept as the reference (tests/job_row_reference.html), and both write the
same jobs, of every kind, in Italian and in English, in the page's time zone."""

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.template import Context
from django.urls import reverse
from django.utils import timezone, translation

from reporting import selectors
from reporting.models import Project, ReportJob
from reporting.templatetags.job_rows import report_job_rows

from . import factories as f
from .conftest import login_client
from .reference_html import normal, reference

REFERENCE = reference("job_row_reference.html")
S = ReportJob.Status


def _jobs():
    """One job of each kind, read as the page reads them (the view's selector and paginator)."""
    province = f.ProvinceFactory(name='Cremona & "Crema" <Sud>')
    district = f.DistrictFactory(province=province, name="Nord & <Est>")
    staff = f.province_staff(province=province, first_name="<b>Anna</b>", last_name='"Rossi"')
    no_name = f.UserFactory(first_name="", last_name="", email="senza.nome&co@example.org")
    project = Project.objects.create(
        title='Famiglie <in> "migrazione" & co',
        call="Bando",
        funder=f.FunderFactory(),
        lead_province=province,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    kinds = [
        # (asked by, district, project, format, audience, status, asked at)
        (staff, district, project, "pdf", "province", S.DONE, dt.datetime(2026, 1, 15, 8, 5, tzinfo=dt.UTC)),
        (no_name, None, project, "csv", "funder", S.QUEUED, dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)),
        (None, None, None, "xlsx", "province", S.RUNNING, dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)),
        (staff, district, None, "pdf", "funder", S.FAILED, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)),
        (staff, None, None, "doc", "province", "lost", dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC)),  # unknown
    ]
    for by, where, what, form, audience, status, at in kinds:
        ReportJob.objects.create(
            requested_by=by,
            province=province,
            district=where,
            project=what,
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2025, 12, 31),
            format=form,
            audience=audience,
            status=status,
            created_at=at,
            expires_at=at + dt.timedelta(days=30),
        )
    return staff, Paginator(selectors.report_job_list(user=staff), 20).get_page(1)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_job_is_written_as_the_template_wrote_it(language):
    _staff, page = _jobs()
    rows = list(page.object_list)
    assert len(rows) == 5
    with translation.override(language), timezone.override("Europe/Rome"):
        written = normal(report_job_rows(rows))
        expected = normal(REFERENCE.render(Context({"page": page})))
    assert written == expected
    assert written.count("<tr>") == 5
    for job in rows:
        assert f'<a href="{reverse("reporting:job", args=[job.pk])}">' in written
    assert "Cremona &amp; &quot;Crema&quot; &lt;Sud&gt; · Nord &amp; &lt;Est&gt;" in written
    assert "Famiglie &lt;in&gt; &quot;migrazione&quot; &amp; co" in written
    assert "&lt;b&gt;Anna&lt;/b&gt; &quot;Rossi&quot;" in written and "senza.nome&amp;co@example.org" in written
    assert ("1 apr 2026, 01:30" if language == "it" else "1 Apr 2026, 01:30") in written  # the time in Rome
    assert ("il portale (trimestrale)" if language == "it" else "the portal (quarterly)") in written


@pytest.mark.django_db
def test_no_job_writes_no_row():
    assert report_job_rows([]) == ""


@pytest.mark.django_db
def test_the_page_lists_the_jobs_with_their_rows():
    staff, _page = _jobs()
    html = login_client(staff).get(reverse("reporting:jobs")).content.decode()
    assert html.count("<tr><td><a href=") == 5 and "senza.nome&amp;co@example.org" in html
