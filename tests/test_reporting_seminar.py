"""The "public seminar" action in the report to the funder: confirmed places and arrivals by role, in the PDF, the
CSV/XLSX and on the page of a project paying for the seminar; the funder's version hides counts of 1 or 2.

The data set: province "Seminaria", report for January–March 2027; a seminar held on 10 February: 4 teachers
confirmed (3 came), 1 health worker confirmed who came, 1 waiting and 1 cancelled (never counted); a seminar in
April does not count."""

import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse

from reporting import services
from reporting.indicators import SUPPRESSED, Scope
from reporting.models import Action, BudgetLine, Project, ProjectPartner

from . import factories as f
from .conftest import login_client
from .seminar_factories import RegistrationFactory, SeminarFactory

pytestmark = pytest.mark.django_db

HELD = dt.datetime(2027, 2, 10, 9, tzinfo=dt.UTC)


@pytest.fixture
def province():
    province = f.ProvinceFactory(name="Seminaria", slug="seminaria")
    seminar = SeminarFactory(province=province, starts_at=HELD, ends_at=HELD + dt.timedelta(hours=4))
    RegistrationFactory.create_batch(3, seminar=seminar, role="teacher", checked_in_at=HELD)
    RegistrationFactory(seminar=seminar, role="teacher")
    RegistrationFactory(seminar=seminar, role="health", checked_in_at=HELD)
    RegistrationFactory(seminar=seminar, role="health", status="waiting")
    RegistrationFactory(seminar=seminar, role="health", status="cancelled")
    april = HELD + dt.timedelta(days=60)
    RegistrationFactory(seminar=SeminarFactory(province=province, starts_at=april, ends_at=april))
    return province


def _scope(province, suppress):
    return Scope(province=province, date_from=dt.date(2027, 1, 1), date_to=dt.date(2027, 3, 31), suppress=suppress)


def test_the_funders_csv_and_pdf_carry_the_seminar_with_small_counts_hidden(province, tmp_path):
    stream = io.StringIO()
    services.report_write(scope=_scope(province, True), format="csv", stream=stream)
    text = stream.getvalue()
    assert "Seminario pubblico: iscritti e presenti, per ruolo" in text
    assert f"Operatore sanitario;{SUPPRESSED};{SUPPRESSED}" in text and "Totale;5;4" in text
    target = tmp_path / "report.pdf"
    with target.open("wb") as out:
        services.report_write(scope=_scope(province, False), format="pdf", stream=out)
    pdf = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True)
    lines = {"".join(line.split()) for line in pdf.stdout.splitlines()}
    assert {"Seminariopubblico", "Insegnanteoeducatore43", "Operatoresanitario11", "Totale54"} <= lines


def _project(province, *actions):
    funder = f.FunderFactory(name="ATS Seminaria", provinces=[province])
    project = Project.objects.create(
        title="Progetto Seminaria",
        call="Bando 2027",
        funder=funder,
        lead_province=province,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 3, 31),
    )
    partner = ProjectPartner.objects.create(project=project, name="Provincia di Seminaria")
    for action in actions:
        BudgetLine.objects.create(project=project, partner=partner, action=action, amount=1000)
    return project, funder


def test_a_project_that_pays_for_the_seminar_shows_its_figures_the_funder_without_small_counts(province):
    project, funder = _project(province, Action.SEMINAR)
    section = reverse("reporting:project_section", args=[project.pk, "seminario"])
    staff = login_client(f.province_staff(province=province)).get(section, HTTP_HX_REQUEST="true")
    funder_page = login_client(f.funder_viewer(funder=funder)).get(section, HTTP_HX_REQUEST="true")
    assert staff.status_code == funder_page.status_code == 200
    assert 'data-testid="table-seminar-roles"' in funder_page.content.decode()
    (staff_table,) = staff.context["tables"]
    (funder_table,) = funder_page.context["tables"]
    assert staff_table["rows"][1] == ["Operatore sanitario", 1, 1]
    assert funder_table["rows"][1] == ["Operatore sanitario", SUPPRESSED, SUPPRESSED]
    assert funder_table["rows"][-1] == ["Totale", 5, 4]


def test_a_project_without_the_action_shows_no_seminar(province):
    project, _funder = _project(province, Action.MEDIATION)
    client = login_client(f.province_staff(province=province))
    response = client.get(project.get_absolute_url())
    assert response.context["sections"] == [] and "seminar-roles" not in response.content.decode()
    assert client.get(reverse("reporting:project_section", args=[project.pk, "seminario"])).status_code == 404
