"""core.arrays.AnyOf filters as ``IN (subquery)`` does, on every database; on PostgreSQL it hands the ids over as an
array, which the planner looks up by index instead of reading the whole table (issue #17)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role
from accounts.scoping import visible
from core.arrays import AnyOf
from mediators.models import Mediator, MediatorLanguage

from . import factories as f

pytestmark = pytest.mark.django_db


def test_any_of_finds_the_same_rows_as_in():
    district, elsewhere = f.DistrictFactory(), f.DistrictFactory()
    here = [f.MediatorFactory(districts=[district], languages=["ara", "urd"]) for _ in range(3)]
    f.MediatorFactory(districts=[elsewhere], languages=["tir"])
    ours = Mediator.objects.filter(districts=district).values("pk")
    with_in = set(MediatorLanguage.objects.filter(mediator_id__in=ours).values_list("pk", flat=True))
    with_any = set(MediatorLanguage.objects.filter(AnyOf("mediator_id", ours)).values_list("pk", flat=True))
    assert with_any == with_in and len(with_any) == 6
    assert {m.pk for m in here} == set(
        MediatorLanguage.objects.filter(AnyOf("mediator_id", ours)).values_list("mediator_id", flat=True)
    )


def test_any_of_of_an_empty_subquery_finds_nothing():
    f.MediatorFactory(languages=["ara"])
    nobody = Mediator.objects.filter(pk=-1).values("pk")
    assert not MediatorLanguage.objects.filter(AnyOf("mediator_id", nobody)).exists()


def test_any_of_combines_with_other_conditions_and_negation():
    district = f.DistrictFactory()
    f.MediatorFactory(districts=[district], languages=["ara", "urd"])
    ours = Mediator.objects.filter(districts=district).values("pk")
    assert list(
        MediatorLanguage.objects.filter(AnyOf("mediator_id", ours), code="urd").values_list("code", flat=True)
    ) == ["urd"]
    assert not MediatorLanguage.objects.filter(AnyOf("mediator_id", ours)).exclude(code__in=["ara", "urd"]).exists()


def test_on_postgresql_the_ids_go_to_the_index_as_an_array():
    district = f.DistrictFactory()
    f.MediatorFactory(districts=[district], languages=["ara"])
    ours = Mediator.objects.filter(districts=district).values("pk")
    with CaptureQueriesContext(connection) as queries:
        list(MediatorLanguage.objects.filter(AnyOf("mediator_id", ours)))
    expected = "= ANY(ARRAY(" if connection.vendor == "postgresql" else " IN (SELECT"
    assert expected in queries.captured_queries[-1]["sql"]


def test_the_people_a_coordinator_and_the_province_manage_come_through_the_arrays():
    province = f.ProvinceFactory()
    district, other = f.DistrictFactory(province=province), f.DistrictFactory(province=province)
    coordinator = f.coordinator(district=district)
    worker = f.social_worker(office=f.OfficeFactory(district=district))
    serving = f.mediator(provider=f.ProviderFactory(province=province), districts=[district])
    elsewhere = f.social_worker(office=f.OfficeFactory(district=other))
    stranger = f.social_worker(office=f.OfficeFactory())  # another province
    staff = f.province_staff(province=province)

    def people(user):
        return set(visible(user, Membership).values_list("user_id", flat=True))

    assert {coordinator.pk, worker.pk, serving.pk} <= people(coordinator)
    assert elsewhere.pk not in people(coordinator) and stranger.pk not in people(coordinator)
    assert {coordinator.pk, worker.pk, serving.pk, elsewhere.pk, staff.pk} <= people(staff)
    assert stranger.pk not in people(staff)
    assert Membership.objects.get(user=serving).role == Role.MEDIATOR


def test_a_set_of_values_is_not_sorted_but_a_sliced_one_keeps_the_order_that_chose_its_rows():
    from accounts.models import Office

    district = f.DistrictFactory()
    offices = [f.OfficeFactory(district=district, name=name) for name in ("Zeta", "Alfa", "Beta")]
    as_set = Membership.objects.filter(AnyOf("office_id", Office.objects.filter(district=district).values("pk")))
    first_two = Office.objects.order_by("name").values("pk")[:2]
    sliced = Membership.objects.filter(AnyOf("office_id", first_two))
    # Office's default ordering (its district's name, its name) is not read; the slice's order is.
    assert "ORDER BY" not in str(as_set.order_by().query)
    assert "ORDER BY" in str(sliced.order_by().query)
    for office in offices:
        f.MembershipFactory(role=Role.SOCIAL_WORKER, office=office)
    assert {m.office.name for m in as_set} == {"Zeta", "Alfa", "Beta"}
    assert {m.office.name for m in sliced} == {"Alfa", "Beta"}
