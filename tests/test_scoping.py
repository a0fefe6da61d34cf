"""accounts.scoping decides who sees what: each role sees its own organisations and people, nobody else's."""

import pytest
from django.http import Http404

from accounts.models import District, Funder, Invitation, Membership, Office, Provider, Province, Role, User
from accounts.scoping import actor_for, get_for_user_or_404, visible
from accounts.services import membership_activate

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_provinces():
    cremona = f.ProvinceFactory(slug="cremona", name="Provincia di Cremona")
    bergamo = f.ProvinceFactory(slug="bergamo", name="Provincia di Bergamo")
    d_cremona = f.DistrictFactory(province=cremona, name="Cremona")
    d_crema = f.DistrictFactory(province=cremona, name="Crema")
    d_bergamo = f.DistrictFactory(province=bergamo, name="Bergamo")
    return {
        "cremona": cremona,
        "bergamo": bergamo,
        "d_cremona": d_cremona,
        "d_crema": d_crema,
        "d_bergamo": d_bergamo,
        "o_cremona": f.OfficeFactory(district=d_cremona),
        "o_crema": f.OfficeFactory(district=d_crema),
        "o_bergamo": f.OfficeFactory(district=d_bergamo),
        "p_cremona": f.ProviderFactory(province=cremona),
        "p_bergamo": f.ProviderFactory(province=bergamo),
        "asl": f.FunderFactory(name="ASL Cremona", provinces=[cremona]),
    }


def test_social_worker_sees_only_her_office_district_and_province(two_provinces):
    w = two_provinces
    user = f.social_worker(office=w["o_cremona"])
    assert list(visible(user, Office)) == [w["o_cremona"]]
    assert list(visible(user, District)) == [w["d_cremona"]]
    assert list(visible(user, Province)) == [w["cremona"]]
    assert list(visible(user, Funder)) == []


def test_coordinator_sees_the_offices_of_his_district_only(two_provinces):
    w = two_provinces
    user = f.coordinator(district=w["d_cremona"])
    assert set(visible(user, Office)) == {w["o_cremona"]}
    assert set(visible(user, District)) == {w["d_cremona"]}
    assert set(visible(user, Provider)) == {w["p_cremona"]}


def test_province_staff_sees_every_district_of_the_province_and_no_other(two_provinces):
    w = two_provinces
    user = f.province_staff(province=w["cremona"])
    assert set(visible(user, District)) == {w["d_cremona"], w["d_crema"]}
    assert set(visible(user, Office)) == {w["o_cremona"], w["o_crema"]}
    assert set(visible(user, Funder)) == {w["asl"]}


def test_funder_sees_the_districts_it_funds_but_no_office_or_person(two_provinces):
    w = two_provinces
    user = f.funder_viewer(funder=w["asl"])
    f.social_worker(office=w["o_cremona"])
    assert set(visible(user, District)) == {w["d_cremona"], w["d_crema"]}
    assert list(visible(user, Office)) == []
    assert list(visible(user, Membership)) == [user.memberships.get()]


def test_mediator_sees_the_districts_served_and_the_own_provider(two_provinces):
    w = two_provinces
    user = f.mediator(provider=w["p_cremona"], districts=[w["d_crema"]])
    assert set(visible(user, District)) == {w["d_crema"]}
    assert set(visible(user, Provider)) == {w["p_cremona"]}
    assert set(visible(user, Office)) == {w["o_crema"]}


def test_administrator_sees_everything(two_provinces):
    user = f.administrator()
    assert visible(user, Office).count() == 3
    assert visible(user, Province).count() == 2


def test_user_without_role_sees_nothing(two_provinces):
    user = f.UserFactory()
    assert visible(user, Office).count() == 0
    assert visible(user, Province).count() == 0
    assert visible(user, User).count() == 0


def test_coordinator_manages_the_people_of_his_district_and_not_of_the_next(two_provinces):
    w = two_provinces
    me = f.coordinator(district=w["d_cremona"])
    colleague = f.social_worker(office=w["o_cremona"])
    mediator_here = f.mediator(provider=w["p_cremona"], districts=[w["d_cremona"]])
    elsewhere = f.social_worker(office=w["o_crema"])
    other_province = f.social_worker(office=w["o_bergamo"])
    people = set(visible(me, User))
    assert {me, colleague, mediator_here} <= people
    assert elsewhere not in people
    assert other_province not in people


def test_province_staff_manages_people_of_the_whole_province_only(two_provinces):
    w = two_provinces
    me = f.province_staff(province=w["cremona"])
    crema = f.social_worker(office=w["o_crema"])
    funder = f.funder_viewer(funder=w["asl"])
    bergamo = f.coordinator(district=w["d_bergamo"])
    people = set(visible(me, User))
    assert {crema, funder} <= people
    assert bergamo not in people


def test_invitations_are_seen_by_the_managers_of_their_scope(two_provinces):
    w = two_provinces
    invitation = f.InvitationFactory(office=w["o_cremona"])
    assert list(visible(f.coordinator(district=w["d_cremona"]), Invitation)) == [invitation]
    assert list(visible(f.coordinator(district=w["d_crema"]), Invitation)) == []
    assert list(visible(f.social_worker(office=w["o_cremona"]), Invitation)) == []


def test_get_for_user_or_404_answers_404_outside_the_scope(two_provinces):
    w = two_provinces
    user = f.coordinator(district=w["d_cremona"])
    assert get_for_user_or_404(user, Office, pk=w["o_cremona"].pk) == w["o_cremona"]
    with pytest.raises(Http404):
        get_for_user_or_404(user, Office, pk=w["o_crema"].pk)
    with pytest.raises(Http404):
        get_for_user_or_404(user, Office, pk=999999)
    with pytest.raises(Http404):
        get_for_user_or_404(user, Office, pk="not-a-number")


def test_scope_follows_the_role_chosen_in_the_header(two_provinces):
    w = two_provinces
    user = f.social_worker(office=w["o_cremona"])
    coordinating = f.MembershipFactory(user=user, role=Role.COORDINATOR, office=None, district=w["d_bergamo"])
    assert actor_for(user).role == Role.SOCIAL_WORKER
    membership_activate(user=user, membership_id=coordinating.pk)
    fresh = User.objects.get(pk=user.pk)
    assert actor_for(fresh).role == Role.COORDINATOR
    assert set(visible(fresh, Office)) == {w["o_bergamo"]}


def test_an_ended_role_gives_no_access(two_provinces):
    w = two_provinces
    user = f.coordinator(district=w["d_cremona"])
    Membership.objects.filter(user=user).update(is_active=False)
    fresh = User.objects.get(pk=user.pk)
    assert actor_for(fresh).role is None
    assert visible(fresh, Office).count() == 0


def test_a_model_without_a_rule_is_visible_to_nobody_but_administrators(two_provinces):
    from django.contrib.auth.models import Group

    Group.objects.create(name="qualcuno")
    assert visible(f.province_staff(province=two_provinces["cremona"]), Group).count() == 0
    assert visible(f.administrator(), Group).count() == 1


def test_a_role_must_name_exactly_its_own_kind_of_organisation(two_provinces):
    from django.db import IntegrityError, transaction

    user = f.UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.COORDINATOR, office=two_provinces["o_cremona"])


def _invitations_of_every_way_into(district: District) -> dict[str, Invitation]:
    """One invitation for each way an invitation belongs to ``district`` and its province."""
    province = district.province
    funder = f.FunderFactory(provinces=[province])
    provider = f.ProviderFactory(province=province)
    mediator = f.InvitationFactory(role=Role.MEDIATOR, office=None, provider=provider)
    mediator.districts.set([district])
    return {
        "office": f.InvitationFactory(role=Role.SOCIAL_WORKER, office=f.OfficeFactory(district=district)),
        "district": f.InvitationFactory(role=Role.COORDINATOR, office=None, district=district),
        "mediator": mediator,
        "province": f.InvitationFactory(role=Role.PROVINCE_STAFF, office=None, province=province),
        "funder": f.InvitationFactory(role=Role.FUNDER_VIEWER, office=None, funder=funder),
    }


def test_a_coordinator_sees_the_invitations_into_their_district_and_province_staff_those_into_their_province():
    district = f.DistrictFactory()
    here = _invitations_of_every_way_into(district)
    elsewhere = _invitations_of_every_way_into(f.DistrictFactory())
    neighbour = f.DistrictFactory(province=district.province)
    next_door = _invitations_of_every_way_into(neighbour)

    coordinator = f.coordinator(district=district)
    seen = set(visible(coordinator, Invitation))
    assert seen == {here["office"], here["district"], here["mediator"]}

    staff = f.province_staff(province=district.province)
    assert set(visible(staff, Invitation)) == {*here.values(), *next_door.values()}
    assert not set(visible(staff, Invitation)) & set(elsewhere.values())
    # A mediator serving two districts is seen once by the coordinator of each, and never twice.
    here["mediator"].districts.add(neighbour)
    assert list(visible(f.coordinator(district=neighbour), Invitation)).count(here["mediator"]) == 1
