"""`manage.py demo_data`: the seeds' organisations and the demo users, idempotent, refused on a real installation."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import F

from accounts import demo as accounts_demo
from accounts.models import District, Funder, Membership, Office, Province, Role, User
from mediazione.management.commands import demo_data
from scheduling.models import Appointment
from sessions_app.models import Evaluation, SessionReport
from timesheets.models import Timesheet

from .test_mediators_demo import snapshot as roster_snapshot
from .test_requests_demo import snapshot as requests_snapshot

pytestmark = pytest.mark.django_db


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        # Every room of the portal but the read audit (which logs reads, not data).
        if model._meta.app_label
        in {
            "core",
            "accounts",
            "mediators",
            "notifications",
            "requests_app",
            "scheduling",
            "sessions_app",
            "timesheets",
            "reporting",
            "privacy",
            "guide",
            "faq",
        }
    }


def reports_and_evaluations():
    return (
        sorted(
            SessionReport.objects.values_list(
                "appointment__request__case_code", "appointment__starts_at", "status", "outcome", "travel_km"
            )
        ),
        sorted(Evaluation.objects.values_list("pk", "request__case_code", "side", "scores__score")),
    )


def everything_the_demo_holds():
    """Every table's count, and the rows of each capability's demo as plain values (ids included)."""
    return {
        "counts": row_counts(),
        "users": set(User.objects.values_list("pk", "email", "active_membership_id")),
        "roster": roster_snapshot(),
        "requests": requests_snapshot(),
        "reports": reports_and_evaluations(),
        "timesheets": set(
            Timesheet.objects.values_list("mediator_id", "district_id", "month", "status", "approved_by_id")
        ),
    }


def test_running_demo_data_twice_gives_the_same_rows(settings):
    settings.DEBUG = True
    call_command("demo_data")
    first = everything_the_demo_holds()
    assert first["counts"]["accounts.User"] == 13
    assert len(first["roster"]["mediators"]) >= 40
    assert (
        len(first["requests"]["requests"]) >= 60 and first["requests"]["offers"] and first["requests"]["appointments"]
    )
    assert first["reports"][0] and first["reports"][1] and first["timesheets"]
    call_command("demo_data")
    second = everything_the_demo_holds()
    for part in first:
        assert second[part] == first[part], part
    # Every appointment keeps its request's district (scheduling.models.Appointment.district).
    assert not Appointment.objects.exclude(district_id=F("request__office__district_id")).exists()


def test_demo_data_refuses_to_run_with_debug_off_unless_forced(settings, monkeypatch):
    # Only the organisations and users: the flag is what is tried here, the whole demo is loaded by the tests above.
    monkeypatch.setattr(demo_data, "BUILDERS", [accounts_demo.build])
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_data")
    assert User.objects.count() == 0
    call_command("demo_data", "--force")
    assert User.objects.count() == 13


def test_demo_data_has_the_organisations_of_the_seeds(demo_world):
    cremona = Province.objects.get(slug="cremona")
    assert set(cremona.districts.values_list("name", "managing_body")) == {
        ("Cremona", "Azienda Sociale del Cremonese"),
        ("Crema", "Comunità Sociale Cremasca"),
        ("Casalmaggiore", "Consorzio Casalasco Servizi Sociali"),
    }
    assert Funder.objects.get(name="ASL Cremona").provinces.get() == cremona
    bergamo = Province.objects.get(slug="bergamo")
    assert bergamo.districts.count() >= 3
    for district in District.objects.all():
        assert district.offices.filter(kind=Office.Kind.CHILD_PROTECTION).exists(), district


def test_each_demo_user_has_the_role_named_in_the_readme(demo_world):
    roles = {
        m.user.email.split("@")[0]: m.role for m in Membership.objects.select_related("user").filter(is_active=True)
    }
    assert roles["assistente.crema"] == Role.SOCIAL_WORKER
    assert roles["coordinatore.bergamo"] == Role.COORDINATOR
    assert roles["mediatore.crema"] == Role.MEDIATOR
    assert roles["provincia.bergamo"] == Role.PROVINCE_STAFF
    assert roles["asl.cremona"] == Role.FUNDER_VIEWER
    assert roles["admin"] == Role.ADMINISTRATOR
    social_worker = Membership.objects.get(user__email="assistente.bergamo@example.org")
    assert social_worker.office.kind == Office.Kind.CHILD_PROTECTION
    assert social_worker.office.district.name == "Bergamo"
    mediator = Membership.objects.get(user__email="mediatore.crema@example.org")
    assert [d.name for d in mediator.districts.all()] == ["Crema"]
