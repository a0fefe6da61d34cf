"""A detail page's object read from SQL compiled once per reader's scope (core/compiled.py through
accounts.scoping.one_for_user_or_404): the same object as ``get``, each reader in their own scope, a 404 outside it."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.http import Http404

from accounts.models import Membership
from accounts.scoping import forget_actor, get_for_user_or_404, one_for_user_or_404, visible
from core import compiled
from mediators.models import Mediator
from mediators.selectors import mediator_detail
from requests_app.models import MediationRequest
from requests_app.selectors import _request_page, request_detail

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_compiled_before():
    compiled.forget()
    yield
    compiled.forget()


def fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def two_districts():
    office_a, office_b = f.OfficeFactory(), f.OfficeFactory()
    return {
        "office_a": office_a,
        "office_b": office_b,
        "request_a": f.MediationRequestFactory(office=office_a, status="matching"),
        "request_b": f.MediationRequestFactory(office=office_b, status="matching"),
    }


def test_the_request_page_reads_the_same_request_its_office_and_the_copied_code_as_get_does(
    django_assert_num_queries,
):
    original = f.MediationRequestFactory(status="closed", case_code="TM-2025-«001»")
    request = f.MediationRequestFactory(
        office=original.office,
        status="matching",
        copied_from=original,
        submitted_at=datetime(2026, 10, 25, 1, 30, 0, 123456, tzinfo=UTC),
    )
    coordinator = f.coordinator(district=request.office.district)
    expected = get_for_user_or_404(coordinator, _request_page(visible(coordinator, MediationRequest)), pk=request.pk)
    for _ in range(2):  # compiled, then from what was compiled
        with django_assert_num_queries(1):
            found = one_for_user_or_404(coordinator, MediationRequest, request.pk, build=_request_page)
        assert fields(found) == fields(expected)
        assert found.copied_from_code == "TM-2025-«001»"
        assert found.submitted_at == datetime(2026, 10, 25, 1, 30, 0, 123456, tzinfo=UTC)
        with django_assert_num_queries(0):
            assert fields(found.office) == fields(request.office)
            assert found.office.district.province == request.office.district.province
            assert found.requester == request.requester
        assert found._state.adding is False and found._state.db == "default"


def test_the_second_request_of_a_reader_is_not_compiled_again(compilations):
    world = two_districts()
    other = f.MediationRequestFactory(office=world["office_a"], status="matching")
    coordinator = f.coordinator(district=world["office_a"].district)
    assert request_detail(user=coordinator, pk=world["request_a"].pk) == world["request_a"]
    compilations.clear()
    assert one_for_user_or_404(coordinator, MediationRequest, other.pk, build=_request_page) == other
    assert MediationRequest not in compilations


def test_a_coordinator_of_another_district_gets_404_from_the_shape_a_colleague_compiled():
    world = two_districts()
    here = f.coordinator(district=world["office_a"].district)
    there = f.coordinator(district=world["office_b"].district)
    assert one_for_user_or_404(here, MediationRequest, world["request_a"].pk, build=_request_page)
    with pytest.raises(Http404):
        one_for_user_or_404(there, MediationRequest, world["request_a"].pk, build=_request_page)
    assert one_for_user_or_404(there, MediationRequest, world["request_b"].pk, build=_request_page)
    with pytest.raises(Http404):
        one_for_user_or_404(here, MediationRequest, world["request_b"].pk, build=_request_page)


def test_each_mediator_reads_only_the_requests_they_are_assigned_to():
    world = two_districts()
    first = f.MediatorFactory(user=f.mediator())
    second = f.MediatorFactory(user=f.mediator())
    MediationRequest.objects.filter(pk=world["request_a"].pk).update(assigned_mediator=first, status="scheduled")
    MediationRequest.objects.filter(pk=world["request_b"].pk).update(assigned_mediator=second, status="scheduled")
    assert request_detail(user=first.user, pk=world["request_a"].pk).assigned_mediator == first
    with pytest.raises(Http404):
        request_detail(user=second.user, pk=world["request_a"].pk)
    assert request_detail(user=second.user, pk=world["request_b"].pk).assigned_mediator == second


def test_a_coordinator_moved_to_another_district_reads_from_the_new_scope_at_once():
    world = two_districts()
    coordinator = f.coordinator(district=world["office_a"].district)
    assert request_detail(user=coordinator, pk=world["request_a"].pk)
    membership = Membership.objects.get(user=coordinator)
    membership.district = world["office_b"].district
    membership.save()  # as the admin site saves it: the roles kept in the cache are renewed
    forget_actor(coordinator)
    with pytest.raises(Http404):
        request_detail(user=coordinator, pk=world["request_a"].pk)
    assert request_detail(user=coordinator, pk=world["request_b"].pk) == world["request_b"]


@pytest.mark.parametrize("pk", [2**63, 2**80, -(2**63) - 1, -1, 0, "abc", "", None, "1; DROP TABLE x", 1.5e30])
def test_an_id_no_row_can_have_is_a_404_not_a_database_error(pk):
    world = two_districts()
    coordinator = f.coordinator(district=world["office_a"].district)
    assert request_detail(user=coordinator, pk=world["request_a"].pk)  # compiled first
    with pytest.raises(Http404):
        request_detail(user=coordinator, pk=pk)
    assert request_detail(user=coordinator, pk=str(world["request_a"].pk)) == world["request_a"]


def test_someone_without_a_role_gets_404_and_an_administrator_reads_any_request():
    world = two_districts()
    nobody = f.UserFactory()
    with pytest.raises(Http404):
        request_detail(user=nobody, pk=world["request_a"].pk)
    admin = f.administrator()
    assert request_detail(user=admin, pk=world["request_a"].pk) == world["request_a"]
    assert request_detail(user=admin, pk=world["request_b"].pk) == world["request_b"]


def test_a_build_that_closes_over_a_value_is_read_again_at_every_call(compilations):
    world = two_districts()
    admin = f.administrator()

    def only(status):
        return lambda requests: requests.filter(status=status)

    assert one_for_user_or_404(admin, MediationRequest, world["request_a"].pk, build=only("matching"))
    compilations.clear()
    with pytest.raises(Http404):
        one_for_user_or_404(admin, MediationRequest, world["request_a"].pk, build=only("closed"))
    assert MediationRequest in compilations


def test_a_mediators_profile_has_its_provider_user_and_districts_in_name_order():
    later, earlier = f.DistrictFactory(name="Soresina"), f.DistrictFactory(name="Casalmaggiore")
    profile = f.MediatorFactory(districts=[later, earlier])
    coordinator = f.coordinator(district=later)
    for _ in range(2):
        found = mediator_detail(user=coordinator, pk=profile.pk, parts=("districts",))
        assert fields(found) == fields(Mediator.objects.get(pk=profile.pk))
        assert found.travel_rate == Decimal("0.35")
        assert found.provider.province == profile.provider.province and found.user == profile.user
        assert [district.name for district in found.districts.all()] == ["Casalmaggiore", "Soresina"]
    with pytest.raises(Http404):
        mediator_detail(user=f.coordinator(), pk=profile.pk)


def test_a_sheet_is_404_in_a_district_the_mediator_does_not_work_for_after_one_they_do_was_compiled():
    from datetime import date

    from timesheets.selectors import sheet_detail

    here, there = f.DistrictFactory(), f.DistrictFactory()
    mediator = f.MediatorFactory(districts=[here])
    month = date(2026, 11, 1)
    sheet = sheet_detail(user=f.coordinator(district=here), mediator_id=mediator.pk, district_id=here.pk, month=month)
    assert (sheet.mediator, sheet.district) == (mediator, here)
    assert sheet.mediator.provider == mediator.provider
    with pytest.raises(Http404):
        sheet_detail(user=f.coordinator(district=there), mediator_id=mediator.pk, district_id=there.pk, month=month)
    with pytest.raises(Http404):
        sheet_detail(user=f.coordinator(district=here), mediator_id=mediator.pk, district_id=2**62, month=month)


def test_the_people_list_counts_and_shows_each_reader_their_own_scope_and_filters_from_sql_compiled_once():
    from accounts.filters import MembershipFilter
    from accounts.selectors import membership_list, people_page

    here, there = f.ProvinceFactory(), f.ProvinceFactory()
    staff_here, staff_there = f.province_staff(province=here), f.province_staff(province=there)
    office = f.OfficeFactory(district=f.DistrictFactory(province=here))
    workers = [f.social_worker(office=office, last_name=f"Rossi {n}") for n in range(3)]
    elsewhere = f.coordinator(district=f.DistrictFactory(province=there), last_name="Bianchi")

    def listed(user, **params):
        filterset = MembershipFilter(params or None, queryset=membership_list(user=user))
        page = people_page(user=user, filterset=filterset, number=1)
        assert page.paginator.count == filterset.qs.count()  # as Django would count
        return [membership.user for membership in page.object_list]

    for _ in range(2):
        assert set(workers) <= set(listed(staff_here)) and elsewhere not in listed(staff_here)
        assert elsewhere in listed(staff_there) and not set(workers) & set(listed(staff_there))
    newcomer = f.social_worker(office=office, last_name="Abate")
    assert newcomer in listed(staff_here)
    assert listed(staff_here, q="Abate") == [newcomer]
    assert listed(staff_here, q="Rossi 1") == [workers[1]]
    assert listed(staff_here, role="coordinator") == []
    assert listed(staff_there, role="coordinator") == [elsewhere]
    # A role no list knows is an error beside the filter (django-filter leaves that filter out): the rows unfiltered.
    assert listed(staff_here, role="no-such-role") == listed(staff_here)


def test_a_mediators_own_month_read_again_shows_a_session_and_a_timesheet_added_since():
    from datetime import date, timedelta

    from timesheets.models import Timesheet
    from timesheets.selectors import my_history, my_sheets

    from .timesheet_factories import appointment_on, month_world

    month = date(2026, 10, 1)
    world = month_world(held=2, month=month)
    _mediator, sheets = my_sheets(user=world.mediator_user, month=month)
    assert [len(sheet.lines) for sheet in sheets] == [2] and sheets[0].timesheet is None
    appointment_on(world.request, month + timedelta(days=20))
    Timesheet.objects.create(mediator=world.mediator, district=world.district, month=month)
    _mediator, sheets = my_sheets(user=world.mediator_user, month=month)
    assert [len(sheet.lines) for sheet in sheets] == [3] and sheets[0].timesheet is not None
    assert [sheet.month for sheet in my_history(mediator=world.mediator)] == [month]
    _mediator, november = my_sheets(user=world.mediator_user, month=date(2026, 11, 1))
    assert [len(sheet.lines) for sheet in november] == [0] and november[0].timesheet is None
