"""The training course (training/): nominations within each district's places, the province's confirmation with the
invitation and its calendar, declining by the e-mail's link, attendance registers, the certificate at the threshold,
the mediator's registry, the PDFs, and a fixed number of queries on the list pages."""

import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from icalendar import Calendar

from accounts.scoping import actor_for
from core.errors import DomainError, NotAllowed
from mediators.models import Training
from training import selectors, services
from training.models import Attendance, Nomination

from . import factories as f
from .conftest import login_client
from .training_factories import NominationFactory, course_with_sessions

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    province = f.ProvinceFactory(name="Provincia di Cremona", slug="cremona")
    cremona = f.DistrictFactory(province=province, name="Cremona")
    crema = f.DistrictFactory(province=province, name="Crema")
    office = f.OfficeFactory(district=cremona)
    # Four sessions of 4 hours, a week apart: the first two past, the last two to come.
    course = course_with_sessions(province, start=NOW - timedelta(days=10), places_per_district=2)
    return {
        "province": province,
        "cremona": cremona,
        "crema": crema,
        "office": office,
        "course": course,
        "staff": f.province_staff(province=province),
        "coordinator": f.coordinator(district=cremona),
        "crema_coordinator": f.coordinator(district=crema),
        "workers": [
            f.social_worker(office=office, first_name=n, last_name="Rossi") for n in ("Anna", "Bruno", "Carla")
        ],
    }


def _actor(user):
    return actor_for(user)


# --- Nominations ---------------------------------------------------------------------------------------------------


def test_a_coordinator_nominates_the_districts_professionals_within_its_places(world):
    coordinator, course = _actor(world["coordinator"]), world["course"]
    for worker in world["workers"][:2]:
        services.nominate(actor=coordinator, course=course, district=world["cremona"], user=worker)
    with pytest.raises(DomainError, match="Cremona.*2"):
        services.nominate(actor=coordinator, course=course, district=world["cremona"], user=world["workers"][2])
    assert Nomination.objects.filter(course=course, district=world["cremona"]).count() == 2


def test_the_places_of_one_district_are_not_taken_by_another(world):
    course = world["course"]
    for worker in world["workers"][:2]:
        services.nominate(actor=_actor(world["coordinator"]), course=course, district=world["cremona"], user=worker)
    services.nominate(
        actor=_actor(world["crema_coordinator"]),
        course=course,
        district=world["crema"],
        full_name="Dario Neri",
        organisation="Comune di Crema",
        email="dario.neri@example.org",
    )
    assert selectors.places_taken(course) == {world["cremona"].pk: 2, world["crema"].pk: 1}


def test_a_coordinator_cannot_nominate_for_another_district(world):
    with pytest.raises(NotAllowed):
        services.nominate(
            actor=_actor(world["crema_coordinator"]),
            course=world["course"],
            district=world["cremona"],
            user=world["workers"][0],
        )
    assert not Nomination.objects.exists()


def test_someone_who_does_not_work_in_the_district_is_refused(world):
    stranger = f.social_worker(office=f.OfficeFactory(district=world["crema"]))
    with pytest.raises(DomainError, match="non lavora nell.ambito"):
        services.nominate(
            actor=_actor(world["coordinator"]), course=world["course"], district=world["cremona"], user=stranger
        )


def test_a_declined_place_goes_back_to_the_district(world):
    course, coordinator = world["course"], _actor(world["coordinator"])
    first = services.nominate(actor=coordinator, course=course, district=world["cremona"], user=world["workers"][0])
    services.nominate(actor=coordinator, course=course, district=world["cremona"], user=world["workers"][1])
    services.nomination_decline(token=services.decline_token(first))
    services.nominate(actor=coordinator, course=course, district=world["cremona"], user=world["workers"][2])
    assert selectors.places_taken(course) == {world["cremona"].pk: 2}


def test_the_nomination_page_says_why_a_nomination_beyond_the_places_is_refused(world):
    client = login_client(world["coordinator"])
    url = reverse("training:nominate", args=[world["course"].pk])
    for worker in world["workers"]:
        response = client.post(url, {"user": worker.pk}, follow=True)
    html = response.content.decode()
    assert "ha usato tutti i suoi 2 posti" in html
    assert Nomination.objects.filter(course=world["course"]).count() == 2


def test_an_external_person_needs_a_valid_email_and_nothing_is_saved_otherwise(world):
    client = login_client(world["coordinator"])
    url = reverse("training:nominate", args=[world["course"].pk])
    response = client.post(url, {"action": "external", "full_name": "Eva Blu", "organisation": "ASST", "email": "x"})
    assert response.status_code == 400 and not Nomination.objects.exists()
    client.post(url, {"action": "external", "full_name": "Eva Blu", "organisation": "ASST", "email": "eva@example.org"})
    assert Nomination.objects.get().kind == Nomination.Kind.OTHER


# --- Confirmation, invitation, calendar, declining -----------------------------------------------------------------


def _confirmed(world, worker=None):
    nomination = services.nominate(
        actor=_actor(world["coordinator"]),
        course=world["course"],
        district=world["cremona"],
        user=worker or world["workers"][0],
    )
    # The invitation leaves once the confirmation commits (core.outbox): run what waits for the commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.nomination_confirm(actor=_actor(world["staff"]), nomination=nomination)


def test_the_confirmed_nominee_gets_the_invitation_with_the_course_calendar(world):
    _confirmed(world)
    message = mail.outbox[-1]
    assert message.to == [world["workers"][0].email]
    assert "Famiglie immigrate e modelli familiari" in message.subject
    (name, content, mimetype) = message.attachments[0]
    assert name == "corso.ics" and mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(content).walk("VEVENT")]
    assert len(events) == 4
    first = events[0]
    assert str(first["summary"]) == "Famiglie immigrate e modelli familiari"
    assert str(first["location"]) == "Sala Maffei, via Dante 134, Cremona"
    assert first.decoded("dtstart") == NOW - timedelta(days=10)
    assert str(first["uid"]).startswith("training-session-")


def test_a_coordinator_cannot_confirm(world):
    nomination = services.nominate(
        actor=_actor(world["coordinator"]), course=world["course"], district=world["cremona"], user=world["workers"][0]
    )
    with pytest.raises(NotAllowed):
        services.nomination_confirm(actor=_actor(world["coordinator"]), nomination=nomination)


def test_the_nominee_declines_from_the_emails_link_without_logging_in(world):
    nomination = _confirmed(world)
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/corsi/rinuncia/" in line)
    path = link.split("127.0.0.1:8000", 1)[-1].strip()
    page = Client().get(path)
    assert page.status_code == 200 and "Rinuncio" in page.content.decode()
    Client().post(path)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.DECLINED and nomination.declined_at == NOW


def test_a_tampered_decline_link_is_refused(world):
    nomination = _confirmed(world)
    token = services.decline_token(nomination)
    response = Client().post(reverse("training:decline", args=[token[:-2] + "xx"]))
    nomination.refresh_from_db()
    assert response.status_code == 404 and nomination.status == Nomination.Status.CONFIRMED


# --- Attendance and certificates -----------------------------------------------------------------------------------


def _past_sessions(course):
    return [s for s in selectors.sessions_of(course) if s.starts_at <= NOW]


def _attended_three_of_four(world):
    """Anna at the four sessions (16 h), Bruno at two (8 h), marked as if the course were over."""
    anna, bruno = _confirmed(world, world["workers"][0]), _confirmed(world, world["workers"][1])
    staff = _actor(world["staff"])
    sessions = selectors.sessions_of(world["course"])
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        for i, session in enumerate(sessions):
            present = {anna.pk} | ({bruno.pk} if i < 2 else set())
            services.attendance_mark(actor=staff, session=session, present_ids=present)
    return anna, bruno


def test_presence_is_marked_only_once_a_session_has_started(world):
    anna = _confirmed(world)
    future = selectors.sessions_of(world["course"])[-1]
    with pytest.raises(DomainError, match="non è ancora iniziato"):
        services.attendance_mark(actor=_actor(world["staff"]), session=future, present_ids={anna.pk})


def test_the_register_page_saves_who_was_present_and_the_hours_follow(world):
    anna, bruno = _confirmed(world, world["workers"][0]), _confirmed(world, world["workers"][1])
    first = _past_sessions(world["course"])[0]
    client = login_client(world["staff"])
    response = client.post(reverse("training:attendance", args=[first.pk]), {"present": [str(anna.pk)]})
    assert response.status_code == 302
    assert selectors.hours_by_nomination(world["course"]) == {anna.pk: Decimal("4.0")}
    assert Attendance.objects.get(nomination=bruno).present is False


def test_the_certificate_goes_to_those_at_the_threshold_only(world):
    anna, bruno = _attended_three_of_four(world)
    issued = services.certificates_issue(actor=_actor(world["staff"]), course=world["course"])
    anna.refresh_from_db(), bruno.refresh_from_db()
    assert issued == 1
    assert anna.certificate_hours == Decimal("16.0") and bruno.certificate_issued_at is None


def test_a_certificate_at_exactly_the_threshold_is_issued(world):
    anna = _confirmed(world)
    sessions = selectors.sessions_of(world["course"])
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        for session in sessions[:3]:  # 12 hours of 16: 75 %
            services.attendance_mark(actor=_actor(world["staff"]), session=session, present_ids={anna.pk})
    assert services.certificates_issue(actor=_actor(world["staff"]), course=world["course"]) == 1


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_certificate_pdf_names_the_person_the_hours_and_the_course(world, tmp_path):
    anna, bruno = _attended_three_of_four(world)
    services.certificates_issue(actor=_actor(world["staff"]), course=world["course"])
    response = login_client(world["workers"][0]).get(reverse("training:certificate", args=[anna.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "Attestato di frequenza" in text and "Anna Rossi" in text
    assert "Famiglie immigrate e modelli familiari" in text
    assert "16,0 ore su 16,0 ore" in text
    assert "La dirigente del Settore Politiche Sociali" in text
    assert "dal 10 marzo 2026 al 31 marzo 2026" in text
    # Below the threshold: no certificate; someone else's: refused.
    assert login_client(world["workers"][1]).get(reverse("training:certificate", args=[bruno.pk])).status_code == 404
    assert login_client(world["workers"][1]).get(reverse("training:certificate", args=[anna.pk])).status_code == 404


def test_the_sign_in_sheet_lists_the_confirmed_participants_with_a_signature_column(world, tmp_path):
    _confirmed(world, world["workers"][0]), _confirmed(world, world["workers"][1])
    session = selectors.sessions_of(world["course"])[0]
    response = login_client(world["staff"]).get(reverse("training:sign_in_sheet", args=[session.pk]))
    text = _pdf_text(response.content, tmp_path)
    assert "Foglio firme" in text and "Anna Rossi" in text and "Bruno Rossi" in text and "Firma" in text


def test_a_mediators_certificate_appears_in_their_registry_profile_once(world):
    mediator_user = f.mediator(districts=[world["cremona"]], provider=f.ProviderFactory(province=world["province"]))
    mediator = f.MediatorFactory(user=mediator_user, provider=mediator_user.memberships.get().provider)
    nomination = services.nominate(
        actor=_actor(world["coordinator"]), course=world["course"], district=world["cremona"], user=mediator_user
    )
    assert nomination.kind == Nomination.Kind.MEDIATOR
    services.nomination_confirm(actor=_actor(world["staff"]), nomination=nomination)
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        for session in selectors.sessions_of(world["course"]):
            services.attendance_mark(actor=_actor(world["staff"]), session=session, present_ids={nomination.pk})
        services.certificates_issue(actor=_actor(world["staff"]), course=world["course"])
        services.certificates_issue(actor=_actor(world["staff"]), course=world["course"])  # again: not doubled
    training = Training.objects.get(mediator=mediator)
    assert training.title == "Famiglie immigrate e modelli familiari"
    assert training.body == "Provincia di Cremona" and training.hours == Decimal("16.0")
    assert training.date == (NOW + timedelta(days=11)).date()  # the course's last day


# --- Access ----------------------------------------------------------------------------------------------------------


def test_a_nominee_sees_their_course_in_my_courses_and_a_stranger_gets_404(world):
    _confirmed(world)
    mine = login_client(world["workers"][0]).get(reverse("training:mine")).content.decode()
    assert "Famiglie immigrate e modelli familiari" in mine
    other = f.province_staff(province=f.ProvinceFactory())
    assert login_client(other).get(reverse("training:detail", args=[world["course"].pk])).status_code == 404
    assert (
        login_client(world["workers"][2]).get(reverse("training:detail", args=[world["course"].pk])).status_code == 404
    )


# --- Query counts of the list pages --------------------------------------------------------------------------------

FRAME = 2 + 1  # the user and the memberships, and the header's unread notifications on the first page


@pytest.mark.parametrize("rows", [3, 30])
def test_the_course_list_runs_the_same_queries_for_3_and_30_courses(rows, django_assert_num_queries):
    province = f.ProvinceFactory()
    for _ in range(rows):
        course_with_sessions(province, hours=(2,))
    client = login_client(f.province_staff(province=province))
    with django_assert_num_queries(FRAME + 1):
        response = client.get(reverse("training:list"))
    assert response.status_code == 200 and len(response.context["courses"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_my_courses_run_the_same_queries_for_3_and_30_nominations(rows, django_assert_num_queries):
    province = f.ProvinceFactory()
    worker = f.social_worker(office=f.OfficeFactory(district=f.DistrictFactory(province=province)))
    for _ in range(rows):
        NominationFactory(course=course_with_sessions(province, hours=(2,)), user=worker, email=None or f"w{_}@x.org")
    client = login_client(worker)
    with django_assert_num_queries(FRAME + 1):
        response = client.get(reverse("training:mine"))
    assert response.status_code == 200 and len(response.context["nominations"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_nomination_page_runs_the_same_queries_for_3_and_30_nominations(rows, django_assert_num_queries):
    province = f.ProvinceFactory()
    district = f.DistrictFactory(province=province)
    course = course_with_sessions(province, hours=(2,), places_per_district=50)
    for _ in range(rows):
        NominationFactory(course=course, district=district)
    client = login_client(f.coordinator(district=district))
    # + the course, the districts, the nominations, the candidates of the district.
    with django_assert_num_queries(FRAME + 4):
        response = client.get(reverse("training:nominate", args=[course.pk]))
    assert response.status_code == 200 and len(response.context["nominations"]) == rows


# --- Accountability figures ------------------------------------------------------------------------------------------


@pytest.fixture
def held_course(world):
    """Four sessions of 4 hours from 10 days ago; the first two held. Anna (Cremona) at both, one external person of
    Crema at the first; Bruno confirmed but never there."""
    anna, _bruno = _confirmed(world, world["workers"][0]), _confirmed(world, world["workers"][1])
    crema = NominationFactory(course=world["course"], district=world["crema"], full_name="Dario Neri")
    held = _past_sessions(world["course"])
    staff = _actor(world["staff"])
    services.attendance_mark(actor=staff, session=held[0], present_ids={anna.pk, crema.pk})
    services.attendance_mark(actor=staff, session=held[1], present_ids={anna.pk})
    return world


def test_the_figures_count_sessions_held_people_by_district_and_role_and_hours(held_course):
    figures = selectors.figures(
        held_course["province"], NOW.date() - timedelta(days=30), NOW.date() + timedelta(days=30)
    )
    assert figures.sessions_held == 2 and figures.course_hours == Decimal("8.0")
    assert figures.people == 2 and figures.person_hours == Decimal("12.0")
    assert figures.people_by_district_and_role == [("Crema", "other", 1), ("Cremona", "social_worker", 1)]
    assert figures.certificates == 0


def test_the_figures_keep_to_the_period_and_the_province(held_course):
    first_day = (NOW - timedelta(days=10)).date()
    figures = selectors.figures(held_course["province"], first_day, first_day)
    assert figures.sessions_held == 1 and figures.people == 2 and figures.person_hours == Decimal("8.0")
    assert selectors.figures(f.ProvinceFactory(), first_day, NOW.date()).sessions_held == 0


def test_the_funder_reads_small_counts_of_people_trained_as_less_than_three(held_course):
    from reporting import presenters

    figures = selectors.figures(held_course["province"], NOW.date() - timedelta(days=30), NOW.date())
    summary, by_district = presenters.training_tables(figures, suppress=True)
    values = dict((str(label), value) for label, value in summary["rows"])
    assert values["Persone formate (presenti ad almeno un incontro)"] == presenters.SUPPRESSED
    assert values["Incontri del corso svolti"] == 2
    assert str(values["Ore frequentate dalle persone formate"]) == str(presenters.WITHHELD)
    assert [row[2] for row in by_district["rows"]] == [presenters.SUPPRESSED] * 3  # Crema, Cremona, and the total
    province_summary, _rows = presenters.training_tables(figures, suppress=False)
    assert (
        dict((str(k), v) for k, v in province_summary["rows"])["Persone formate (presenti ad almeno un incontro)"] == 2
    )


def test_the_report_carries_the_training_and_faq_tables(held_course):
    from reporting import exports
    from reporting.indicators import Scope

    scope = Scope(
        province=held_course["province"],
        date_from=NOW.date() - timedelta(days=30),
        date_to=NOW.date(),
        suppress=True,
    )
    titles = [title for title, _columns, _rows in exports.summary_sheets(scope)]
    assert "Corso di formazione: incontri, persone e ore" in titles
    assert "FAQ per gli operatori: domande e risposte" in titles
    context = exports.report_context(scope)
    assert [t["id"] for t in context["training"]] == ["training-summary", "training-people"]
    assert [t["id"] for t in context["faq"]] == ["faq-summary"]


def _project(world, *actions):
    from reporting.models import BudgetLine, Project, ProjectPartner

    funder = f.FunderFactory(name="ASL Formazione", provinces=[world["province"]])
    project = Project.objects.create(
        title="Progetto Famiglie",
        call="Bando 2026",
        funder=funder,
        lead_province=world["province"],
        starts_on=(NOW - timedelta(days=60)).date(),
        ends_on=(NOW + timedelta(days=60)).date(),
    )
    partner = ProjectPartner.objects.create(project=project, name="Provincia di Cremona")
    for action in actions:
        BudgetLine.objects.create(project=project, partner=partner, action=action, amount=1000)
    return project, funder


def test_a_project_that_pays_for_training_and_the_faq_shows_their_tables_the_funder_without_small_counts(
    held_course,
):
    from reporting.models import Action
    from reporting.presenters import SUPPRESSED

    project, funder = _project(held_course, Action.TRAINING, Action.FAQ)
    page = login_client(held_course["staff"]).get(project.get_absolute_url())
    assert [slug for slug, _title in page.context["sections"]] == ["formazione", "faq"]

    def section(client, slug):
        return client.get(reverse("reporting:project_section", args=[project.pk, slug]), HTTP_HX_REQUEST="true")

    staff, funder_client = login_client(held_course["staff"]), login_client(f.funder_viewer(funder=funder))
    funder_training, funder_faq = section(funder_client, "formazione"), section(funder_client, "faq")
    assert 'data-testid="table-training-people"' in funder_training.content.decode()
    assert 'data-testid="table-faq-summary"' in funder_faq.content.decode()
    people = [t for t in funder_training.context["tables"] if t["id"] == "training-people"][0]
    assert [row[2] for row in people["rows"]] == [SUPPRESSED] * 3
    staff_people = [t for t in section(staff, "formazione").context["tables"] if t["id"] == "training-people"][0]
    assert [row[2] for row in staff_people["rows"]] == [1, 1, 2]


def test_a_project_without_training_nor_faq_shows_neither(held_course):
    from reporting.models import Action

    project, _funder = _project(held_course, Action.MEDIATION)
    response = login_client(held_course["staff"]).get(project.get_absolute_url())
    assert response.context["sections"] == []


# --- Creating a course and its sessions; bad input -----------------------------------------------------------------


def test_the_province_creates_a_course_with_its_modules_and_adds_a_session(world):
    client = login_client(world["staff"])
    response = client.post(
        reverse("training:create"),
        {
            "province": world["province"].pk,
            "title": "Genitorialità e migrazione",
            "targets": ["social_worker", "mediator"],
            "places_per_district": "4",
            "threshold_percent": "80",
            "modules": "Primo modulo\n\nSecondo modulo\n",
        },
    )
    course = world["province"].course_set.get(title="Genitorialità e migrazione")
    assert response.status_code == 302 and [m.title for m in course.modules.all()] == ["Primo modulo", "Secondo modulo"]
    assert course.target_roles() == {"social_worker", "mediator"}
    bad = client.post(
        reverse("training:session_add", args=[course.pk]),
        {"starts_at": "2026-04-02T14:00", "ends_at": "2026-04-02T10:00", "trainer": "Docente", "hours": "3"},
    )
    assert bad.status_code == 400 and "finisce dopo" in bad.content.decode() and not course.sessions.exists()
    nowhere = client.post(
        reverse("training:session_add", args=[course.pk]),
        {"starts_at": "2026-04-02T10:00", "ends_at": "2026-04-02T13:00", "trainer": "Docente", "hours": "3"},
    )
    assert nowhere.status_code == 400 and not course.sessions.exists()
    client.post(
        reverse("training:session_add", args=[course.pk]),
        {
            "starts_at": "2026-04-02T10:00",
            "ends_at": "2026-04-02T13:00",
            "online_url": "https://meet.example.org/x",
            "trainer": "Docente",
            "hours": "3",
        },
    )
    assert course.sessions.get().hours == Decimal("3.0")


def test_a_course_for_social_workers_only_refuses_a_mediator_and_external_people(world):
    course = course_with_sessions(world["province"], for_mediators=False, for_others=False, title="Solo AS")
    mediator_user = f.mediator(districts=[world["cremona"]], provider=f.ProviderFactory(province=world["province"]))
    with pytest.raises(DomainError):
        services.nominate(
            actor=_actor(world["coordinator"]), course=course, district=world["cremona"], user=mediator_user
        )
    with pytest.raises(DomainError):
        services.nominate(
            actor=_actor(world["coordinator"]),
            course=course,
            district=world["cremona"],
            full_name="Eva Blu",
            organisation="ASST",
            email="eva@example.org",
        )
    assert not course.nominations.exists()


def test_a_withdrawn_nomination_frees_the_place(world):
    nomination = services.nominate(
        actor=_actor(world["coordinator"]), course=world["course"], district=world["cremona"], user=world["workers"][0]
    )
    login_client(world["coordinator"]).post(reverse("training:withdraw", args=[nomination.pk]))
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN and selectors.places_taken(world["course"]) == {}


def test_the_sessions_trainer_marks_presence_and_another_operator_gets_404(world):
    anna = _confirmed(world)
    session = _past_sessions(world["course"])[0]
    session.trainer_user = world["workers"][2]
    session.save(update_fields=["trainer_user"])
    url = reverse("training:attendance", args=[session.pk])
    assert login_client(world["workers"][1]).get(url).status_code == 404
    trainer = login_client(world["workers"][2])
    assert trainer.get(url).status_code == 200
    trainer.post(url, {"present": [str(anna.pk)]})
    assert Attendance.objects.get(nomination=anna, session=session).present


@pytest.mark.parametrize("rows", [3, 30])
def test_the_course_page_runs_the_same_queries_for_3_and_30_sessions_and_participants(rows, django_assert_num_queries):
    province = f.ProvinceFactory()
    district = f.DistrictFactory(province=province)
    course = course_with_sessions(province, hours=(2,) * rows, places_per_district=50)
    for _ in range(rows):
        NominationFactory(course=course, district=district)
    client = login_client(f.province_staff(province=province))
    # + the course, its modules, sessions, hours attended, participants with one's own nominations, districts, places
    # taken.
    with django_assert_num_queries(FRAME + 7):
        response = client.get(reverse("training:detail", args=[course.pk]))
    assert response.status_code == 200 and len(response.context["participants"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_register_runs_the_same_queries_for_3_and_30_participants(rows, django_assert_num_queries):
    province = f.ProvinceFactory()
    district = f.DistrictFactory(province=province)
    course = course_with_sessions(province, hours=(2,), places_per_district=50)
    session = course.sessions.get()
    for _ in range(rows):
        NominationFactory(course=course, district=district)
    client = login_client(f.province_staff(province=province))
    # + the session with its course and province, the participants with their district, their marks.
    with django_assert_num_queries(FRAME + 3):
        response = client.get(reverse("training:attendance", args=[session.pk]))
    assert response.status_code == 200 and len(response.context["register"]) == rows
