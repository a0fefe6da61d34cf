"""`manage.py demo_data`: the seeds' organisations and the demo users, idempotent, refused on a real installation."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import District, Funder, Membership, Office, Province, Role, User

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


def test_running_demo_data_twice_gives_the_same_rows(settings):
    settings.DEBUG = True
    call_command("demo_data")
    first = row_counts()
    first_ids = set(User.objects.values_list("pk", "email", "active_membership_id"))
    call_command("demo_data")
    assert row_counts() == first
    assert set(User.objects.values_list("pk", "email", "active_membership_id")) == first_ids
    assert first["accounts.User"] == 13


def test_demo_data_refuses_to_run_with_debug_off_unless_forced(settings):
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
