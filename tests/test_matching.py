"""Candidates for a request: every hard condition excludes and is named, every preference ranks higher, the reasons
read in Italian, outsiders never appear, and the query count does not grow with the roster."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from accounts.scoping import actor_for
from requests_app.models import ProposedSlot
from scheduling.matching import candidates, exclusions
from scheduling.models import Appointment

from . import factories as f

pytestmark = pytest.mark.django_db

MESI = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]


def rome(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def next_tuesday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def in_italian(day: date) -> str:
    text = f"{day.day} {MESI[day.month - 1]}"
    return text if day.year == timezone.localdate().year else f"{text} {day.year}"


@pytest.fixture
def world():
    """Cremona and Crema in one province, Bergamo in another; a coordinator of Cremona and a request of one of
    its offices, in matching: Arabic (Darija), child protection, in person, one slot next Tuesday 10:00-11:00."""
    cremona = f.ProvinceFactory(slug="cremona", name="Provincia di Cremona")
    bergamo = f.ProvinceFactory(slug="bergamo", name="Provincia di Bergamo")
    d_cremona = f.DistrictFactory(province=cremona, name="Cremona")
    d_crema = f.DistrictFactory(province=cremona, name="Crema")
    d_bergamo = f.DistrictFactory(province=bergamo, name="Bergamo")
    request = f.MediationRequestFactory(
        office=f.OfficeFactory(district=d_cremona), status="matching", languages=["ara:Darija"]
    )
    tuesday = next_tuesday()
    ProposedSlot.objects.create(request=request, starts_at=rome(tuesday, 10), ends_at=rome(tuesday, 11))
    return {
        "cremona": cremona,
        "bergamo": bergamo,
        "d_cremona": d_cremona,
        "d_crema": d_crema,
        "d_bergamo": d_bergamo,
        "p_cremona": f.ProviderFactory(province=cremona),
        "p_bergamo": f.ProviderFactory(province=bergamo),
        "coordinator": f.coordinator(district=d_cremona),
        "request": request,
        "tuesday": tuesday,
    }


def able(world, **fields):
    """A mediator of Cremona who meets every hard condition of the request and has no preference of it: speaks
    Arabic with no variant, works in person, has no weekly slot, no experience, is a woman, no appointments."""
    fields.setdefault("languages", ["ara"])
    fields.setdefault("districts", [world["d_cremona"]])
    fields.setdefault("provider", world["p_cremona"])
    return f.MediatorFactory(**fields)


def appointment(world, mediator, starts_at, *, hours=1, status="planned"):
    return Appointment.objects.create(
        request=world["request"],
        mediator=mediator,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        status=status,
        created_by=world["coordinator"],
    )


def first_of_this_month(hour: int) -> datetime:
    return rome(timezone.localdate().replace(day=1), hour)


def ranking(world, user=None):
    return [c.mediator for c in candidates(user=user or world["coordinator"], request=world["request"])]


def candidate_of(world, mediator):
    (found,) = [c for c in candidates(user=world["coordinator"], request=world["request"]) if c.mediator == mediator]
    return found


def why_not(world, mediator, user=None):
    return exclusions(user=user or world["coordinator"], request=world["request"], mediator=mediator)


# --- Hard conditions --------------------------------------------------------------------------------------------------


def test_a_mediator_meeting_every_condition_is_a_candidate_and_nothing_excludes_them(world):
    mediator = able(world)
    assert ranking(world) == [mediator]
    assert why_not(world, mediator) == []


def test_speaking_another_language_excludes_and_is_named(world):
    mediator = able(world, languages=["fra", "eng"])
    assert ranking(world) == []
    assert why_not(world, mediator) == ["non parla arabo"]


def test_speaking_any_one_of_the_languages_asked_is_enough(world):
    world["request"].languages.create(code="fra")
    mediator = able(world, languages=["fra"])
    assert ranking(world) == [mediator]


def test_every_language_asked_is_named_when_none_is_spoken(world):
    world["request"].languages.create(code="fra")
    mediator = able(world, languages=["eng"])
    assert why_not(world, mediator) == ["non parla arabo o francese"]


def test_an_inactive_mediator_is_excluded_and_named(world):
    mediator = able(world, is_active=False)
    assert ranking(world) == []
    assert why_not(world, mediator) == ["profilo non attivo"]


def test_a_mediator_not_serving_the_district_is_excluded_and_named_to_province_staff(world):
    crema_only = able(world, districts=[world["d_crema"]])
    staff = f.province_staff(province=world["cremona"])
    assert ranking(world, staff) == []
    assert why_not(world, crema_only, staff) == ["non opera nell'ambito di Cremona"]


def test_not_offering_the_mode_excludes_and_is_named(world):
    world["request"].mode = "phone"
    world["request"].save()
    in_person_only = able(world)
    by_phone = able(world, mode_phone=True)
    assert ranking(world) == [by_phone]
    assert why_not(world, in_person_only) == ["non lavora al telefono"]


def test_absent_on_the_day_of_a_proposed_slot_excludes_and_says_until_when(world):
    until = world["tuesday"] + timedelta(days=5)
    mediator = able(world)
    f.AbsenceFactory(mediator=mediator, start_date=world["tuesday"] - timedelta(days=1), end_date=until)
    assert ranking(world) == []
    assert why_not(world, mediator) == [f"assente fino al giorno {in_italian(until)}"]


def test_an_absence_on_another_day_than_the_slots_does_not_exclude(world):
    mediator = able(world)
    today = timezone.localdate()
    f.AbsenceFactory(mediator=mediator, start_date=today, end_date=today)  # today is never next Tuesday
    assert ranking(world) == [mediator]


def test_without_upcoming_slots_an_absence_today_excludes(world):
    world["request"].slots.all().delete()
    today = timezone.localdate()
    away, back = able(world), able(world)
    f.AbsenceFactory(mediator=away, start_date=today - timedelta(days=1), end_date=today + timedelta(days=2))
    f.AbsenceFactory(mediator=back, start_date=today - timedelta(days=9), end_date=today - timedelta(days=1))
    assert ranking(world) == [back]
    assert why_not(world, away) == [f"assente fino al giorno {in_italian(today + timedelta(days=2))}"]


def test_an_expired_qualification_excludes_and_is_named_with_its_date(world):
    expired_on = timezone.localdate() - timedelta(days=3)
    mediator = able(world)
    f.QualificationFactory(mediator=mediator, title="Attestato regionale", expires_on=expired_on)
    assert ranking(world) == []
    assert why_not(world, mediator) == [f"qualifica “Attestato regionale” scaduta in data {in_italian(expired_on)}"]


def test_qualifications_without_expiry_or_expiring_later_do_not_exclude(world):
    mediator = able(world)
    f.QualificationFactory(mediator=mediator, expires_on=None)
    f.QualificationFactory(mediator=mediator, expires_on=timezone.localdate())  # still valid today
    f.QualificationFactory(mediator=mediator, expires_on=timezone.localdate() + timedelta(days=200))
    assert ranking(world) == [mediator]


def test_every_condition_failed_is_listed_in_order(world):
    world["request"].mode = "video"
    world["request"].save()
    mediator = able(world, languages=["cmn"], is_active=False)
    f.AbsenceFactory(mediator=mediator, start_date=world["tuesday"], end_date=world["tuesday"])
    f.QualificationFactory(mediator=mediator, title="B", expires_on=timezone.localdate() - timedelta(days=1))
    f.QualificationFactory(mediator=mediator, title="A", expires_on=timezone.localdate() - timedelta(days=2))
    reasons = why_not(world, mediator)
    assert reasons[:3] == ["non parla arabo", "profilo non attivo", "non lavora in videochiamata"]
    assert reasons[3].startswith("assente fino al giorno ")
    assert reasons[4].startswith("qualifica “A” scaduta in data ")
    assert reasons[5].startswith("qualifica “B” scaduta in data ")
    assert len(reasons) == 6


# --- Preferences ------------------------------------------------------------------------------------------------------


def test_the_variant_asked_ranks_higher_and_is_a_reason(world):
    plain = able(world, last_name="Alfieri")
    darija = able(world, last_name="Zanetti", languages=["ara:Darija"])
    assert ranking(world) == [darija, plain]
    assert "parla Darija" in candidate_of(world, darija).reasons
    assert not any(reason.startswith("parla") for reason in candidate_of(world, plain).reasons)


@pytest.mark.parametrize(
    ("asked", "spoken"),
    [("Darija", "darija marocchina"), ("darija marocchina", "DARIJA"), ("Darija", "Darija")],
)
def test_variants_match_by_containment_either_way_ignoring_case(world, asked, spoken):
    world["request"].languages.update(variant=asked)
    plain = able(world, last_name="Alfieri")
    matching = able(world, last_name="Zanetti", languages=[f"ara:{spoken}"])
    assert ranking(world) == [matching, plain]
    assert f"parla {spoken}" in candidate_of(world, matching).reasons


def test_the_variant_of_another_language_does_not_count(world):
    world["request"].languages.create(code="fra")
    other = able(world, languages=["fra:Darija"])
    assert candidate_of(world, other).variant == ""


# --- Macrolanguages (mediators/languages.py) --------------------------------------------------------------------------


def test_a_request_in_moroccan_arabic_finds_arabic_speakers_the_darija_one_first(world):
    world["request"].languages.update(code="ary", variant="")
    plain = able(world, last_name="Alfieri")
    darija = able(world, last_name="Zanetti", languages=["ara:Darija"])
    assert ranking(world) == [darija, plain]
    assert "parla Darija" in candidate_of(world, darija).reasons
    assert "parla arabo (macrolingua), senza indicare se arabo marocchino" in candidate_of(world, plain).reasons


def test_the_very_language_asked_comes_before_its_macrolanguage_whatever_the_points(world):
    world["request"].languages.update(code="ary", variant="")
    plain = able(world, last_name="Alfieri", exp_child_protection=True)
    exact = able(world, last_name="Zanetti", languages=["ary"])
    assert ranking(world) == [exact, plain]
    assert candidate_of(world, plain).score > candidate_of(world, exact).score


def test_a_request_in_arabic_finds_a_levantine_arabic_speaker_after_the_arabic_ones(world):
    world["request"].languages.update(variant="")
    levantine = able(world, last_name="Alfieri", languages=["apc"])
    arabic = able(world, last_name="Zanetti")
    assert ranking(world) == [arabic, levantine]
    assert "parla arabo levantino, non proprio arabo" in candidate_of(world, levantine).reasons


def test_a_moroccan_arabic_speaker_serves_a_request_in_arabic_with_the_variant_darija(world):
    moroccan = able(world, languages=["ary"])
    assert candidate_of(world, moroccan).variant == "arabo marocchino"
    assert not candidate_of(world, moroccan).related_language_only


def test_mandarin_and_chinese_serve_each_other_but_cantonese_is_not_mandarin(world):
    world["request"].languages.update(code="cmn", variant="")
    chinese = able(world, languages=["zho"])
    cantonese = able(world, languages=["yue"])
    assert ranking(world) == [chinese]
    assert why_not(world, cantonese) == ["non parla cinese mandarino"]
    world["request"].languages.update(code="zho")
    mandarin = able(world, languages=["cmn"])
    assert set(ranking(world)) == {chinese, cantonese, mandarin}


def test_free_at_the_proposed_slot_ranks_higher_and_says_when(world):
    busy = able(world, last_name="Alfieri")
    free = able(world, last_name="Zanetti")
    f.SlotFactory(mediator=free, weekday=1, start_time="09:00", end_time="13:00")
    assert ranking(world) == [free, busy]
    assert "disponibile mar 10:00" in candidate_of(world, free).reasons
    assert candidate_of(world, busy).free_slots == []


def test_free_at_more_of_the_proposed_slots_ranks_higher(world):
    wednesday = world["tuesday"] + timedelta(days=1)
    ProposedSlot.objects.create(request=world["request"], starts_at=rome(wednesday, 15), ends_at=rome(wednesday, 16))
    tuesday_only = able(world, last_name="Alfieri")
    both = able(world, last_name="Zanetti")
    f.SlotFactory(mediator=tuesday_only, weekday=1)
    f.SlotFactory(mediator=both, weekday=1)
    f.SlotFactory(mediator=both, weekday=2, start_time="14:00", end_time="18:00")
    assert ranking(world) == [both, tuesday_only]
    assert "disponibile mar 10:00, mer 15:00" in candidate_of(world, both).reasons


def test_a_live_appointment_at_the_slot_means_not_free(world):
    booked = able(world, last_name="Alfieri")
    f.SlotFactory(mediator=booked, weekday=1)
    appointment(world, booked, rome(world["tuesday"], 10, 30))
    candidate = candidate_of(world, booked)
    assert candidate.free_slots == []
    assert not any(reason.startswith("disponibile") for reason in candidate.reasons)


@pytest.mark.parametrize("status", ["cancelled", "void"])
def test_a_cancelled_or_void_appointment_at_the_slot_does_not_count(world, status):
    freed = able(world, last_name="Alfieri")
    f.SlotFactory(mediator=freed, weekday=1)
    appointment(world, freed, rome(world["tuesday"], 10), status=status)
    assert "disponibile mar 10:00" in candidate_of(world, freed).reasons


def test_the_free_one_ranks_above_the_booked_one(world):
    booked = able(world, last_name="Alfieri")
    free = able(world, last_name="Zanetti")
    for mediator in (booked, free):
        f.SlotFactory(mediator=mediator, weekday=1)
    appointment(world, booked, rome(world["tuesday"], 9), hours=2)
    assert ranking(world) == [free, booked]


def test_experience_in_the_setting_ranks_higher_and_is_a_reason(world):
    plain = able(world, last_name="Alfieri", exp_school=True)
    experienced = able(world, last_name="Zanetti", exp_child_protection=True)
    assert ranking(world) == [experienced, plain]
    assert "esperienza in tutela minori" in candidate_of(world, experienced).reasons
    assert not any(reason.startswith("esperienza") for reason in candidate_of(world, plain).reasons)


def test_the_preferred_gender_ranks_higher_and_is_a_reason(world):
    world["request"].preferred_gender = "male"
    world["request"].save()
    woman = able(world, last_name="Alfieri", gender="female")
    man = able(world, last_name="Zanetti", gender="male")
    assert ranking(world) == [man, woman]
    assert "genere preferito" in candidate_of(world, man).reasons
    assert "genere preferito" not in candidate_of(world, woman).reasons


def test_no_preferred_gender_prefers_nobody(world):
    woman = able(world, last_name="Alfieri", gender="female")
    man = able(world, last_name="Zanetti", gender="male")
    assert ranking(world) == [woman, man]
    assert candidate_of(world, woman).score == candidate_of(world, man).score


def evaluated(world, mediator, scores, *, side="requester"):
    """A closed request of the district on which ``side`` gave ``mediator`` these scores (one criterion each)."""
    from sessions_app.models import Evaluation, EvaluationCriterion, EvaluationScore

    request = f.MediationRequestFactory(office=world["request"].office, status="evaluated", assigned_mediator=mediator)
    evaluation = Evaluation.objects.create(request=request, side=side, mediator=mediator, by=world["coordinator"])
    for index, score in enumerate(scores):
        criterion, _created = EvaluationCriterion.objects.get_or_create(
            province=world["cremona"], key=f"criterion-{index}", defaults={"label_it": "c", "label_en": "c"}
        )
        EvaluationScore.objects.create(evaluation=evaluation, criterion=criterion, score=score)


def test_better_evaluations_by_the_offices_rank_higher_and_are_a_reason(world):
    praised = able(world, last_name="Zanetti")
    criticised = able(world, last_name="Alfieri")
    evaluated(world, praised, [5, 5])
    evaluated(world, praised, [5, 4, 5])
    evaluated(world, criticised, [2, 2])
    assert ranking(world) == [praised, criticised]
    assert "valutato 4,8/5 dai servizi (2 valutazioni)" in candidate_of(world, praised).reasons
    assert "valutato 2,0/5 dai servizi (1 valutazione)" in candidate_of(world, criticised).reasons


def test_the_mediators_own_evaluation_does_not_rank(world):
    modest = able(world, last_name="Alfieri")
    proud = able(world, last_name="Zanetti")
    evaluated(world, proud, [5, 5], side="mediator")
    assert ranking(world) == [modest, proud]
    assert candidate_of(world, modest).score == candidate_of(world, proud).score


def test_fewer_hours_this_month_ranks_higher_and_sessions_are_counted(world):
    worked = able(world, last_name="Alfieri")
    rested = able(world, last_name="Zanetti")
    appointment(world, worked, first_of_this_month(9), hours=3)
    appointment(world, rested, first_of_this_month(9), hours=1, status="cancelled")  # owes nothing to fairness
    assert ranking(world) == [rested, worked]
    assert "1 incontro questo mese" in candidate_of(world, worked).reasons
    assert "0 incontri questo mese" in candidate_of(world, rested).reasons
    assert candidate_of(world, worked).hours_this_month == 3
    assert candidate_of(world, rested).hours_this_month == 0


def test_hours_of_another_month_do_not_count(world):
    last_month = able(world, last_name="Alfieri")
    this_month = able(world, last_name="Zanetti")
    appointment(world, last_month, first_of_this_month(9) - timedelta(days=3), hours=5)
    appointment(world, this_month, first_of_this_month(9), hours=1)
    assert ranking(world) == [last_month, this_month]
    assert candidate_of(world, last_month).sessions_this_month == 0


def test_equal_candidates_are_ordered_by_name_then_id(world):
    second = able(world, last_name="Rossi", first_name="Maria")
    first = able(world, last_name="Bianchi", first_name="Zoe")
    third = able(world, last_name="Rossi", first_name="Maria", email="altra@example.org")
    assert ranking(world) == [first, second, third]


def test_the_variant_outweighs_everything_below_it(world):
    world["request"].preferred_gender = "male"
    world["request"].save()
    darija = able(world, last_name="Zanetti", languages=["ara:Darija"])
    rest = able(world, last_name="Alfieri", gender="male", exp_child_protection=True)
    appointment(world, darija, first_of_this_month(9), hours=4)
    assert ranking(world) == [darija, rest]


# --- Reasons in the user's language -----------------------------------------------------------------------------------


def test_reasons_are_in_italian_by_default(world):
    star = able(world, languages=["ara:Darija"], exp_child_protection=True)
    f.SlotFactory(mediator=star, weekday=1)
    assert candidate_of(world, star).reasons == [
        "parla Darija",
        "disponibile mar 10:00",
        "esperienza in tutela minori",
        "0 incontri questo mese",
    ]


def test_reasons_and_exclusions_in_english(world):
    star = able(world, languages=["ara:Darija"], exp_child_protection=True)
    f.SlotFactory(mediator=star, weekday=1)
    appointment(world, star, first_of_this_month(9))
    expired_on = timezone.localdate() - timedelta(days=1)
    f.QualificationFactory(mediator=able(world, last_name="Zanetti"), title="Corso", expires_on=expired_on)
    with translation.override("en"):
        assert candidate_of(world, star).reasons == [
            "speaks Darija",
            "free Tue 10:00",
            "experience in child protection",
            "1 session this month",
        ]
        (excluded,) = [m for m in world["d_cremona"].mediators.all() if m != star]
        (sentence,) = why_not(world, excluded)
    assert sentence.startswith("qualification “Corso” expired on ")
    assert expired_on.strftime("%B") in sentence


# --- Scope ------------------------------------------------------------------------------------------------------------


def test_outsider_mediators_never_appear_and_are_not_described(world):
    mine = able(world)
    crema = able(world, districts=[world["d_crema"]])
    bergamo = able(world, districts=[world["d_bergamo"]], provider=world["p_bergamo"])
    assert ranking(world) == [mine]
    # Nothing of their profile is told, and they are never taken for a candidate.
    assert why_not(world, crema) == ["non è nel tuo elenco"]
    assert why_not(world, bergamo) == ["non è nel tuo elenco"]


def test_province_staff_see_their_province_only(world):
    mine = able(world)
    able(world, districts=[world["d_bergamo"]], provider=world["p_bergamo"])
    assert ranking(world, f.province_staff(province=world["cremona"])) == [mine]
    assert ranking(world, f.province_staff(province=world["bergamo"])) == []


def test_a_coordinator_of_another_district_gets_nobody_for_a_request_they_cannot_see(world):
    both = able(world, districts=[world["d_cremona"], world["d_crema"]])
    crema_coordinator = f.coordinator(district=world["d_crema"])
    assert ranking(world, crema_coordinator) == []
    assert why_not(world, both, crema_coordinator) == ["non è nel tuo elenco"]


def test_roles_without_a_roster_get_nobody(world):
    able(world)
    assert ranking(world, world["request"].requester) == []
    assert ranking(world, f.mediator(provider=world["p_cremona"], districts=[world["d_cremona"]])) == []


# --- Queries ----------------------------------------------------------------------------------------------------------


def crowd(world, count: int) -> None:
    """``count`` candidates with several languages, weekly slots, an old absence, a valid qualification and
    appointments this month (one cancelled); and as many outsiders who fail one condition or another."""
    wednesday = world["tuesday"] + timedelta(days=1)
    ProposedSlot.objects.create(request=world["request"], starts_at=rome(wednesday, 15), ends_at=rome(wednesday, 16))
    for index in range(count):
        mediator = able(world, languages=["ara:Darija", "fra", "eng:British"], exp_child_protection=index % 2 == 0)
        f.SlotFactory(mediator=mediator, weekday=1)
        f.SlotFactory(mediator=mediator, weekday=2, start_time="14:00", end_time="18:00")
        old = timezone.localdate() - timedelta(days=40)
        f.AbsenceFactory(mediator=mediator, start_date=old, end_date=old + timedelta(days=2))
        f.QualificationFactory(mediator=mediator)
        appointment(world, mediator, first_of_this_month(8), hours=1 + index % 3)
        appointment(world, mediator, first_of_this_month(12), status="cancelled")
        able(world, languages=["cmn", "eng"], is_active=index % 2 == 0)


@pytest.mark.parametrize("count", [3, 30])
def test_candidates_run_a_fixed_number_of_queries(world, count, django_assert_num_queries):
    crowd(world, count)
    request = world["request"]
    user = world["coordinator"]
    actor_for(user)  # the user's current role: read once per user object and cached on it
    # The request's languages; its proposed slots; the mediators with every condition, one "free?" per slot and the
    # month's hours and sessions; their languages (prefetched).
    with django_assert_num_queries(4):
        found = candidates(user=user, request=request)
    assert len(found) == count
    assert all(len(c.free_slots) == 2 for c in found)


@pytest.mark.parametrize("slots", [1, 6])
def test_the_number_of_proposed_slots_does_not_add_queries(world, slots, django_assert_num_queries):
    crowd(world, 3)
    request = world["request"]
    request.slots.all().delete()
    for week in range(slots):
        day = world["tuesday"] + timedelta(weeks=week)
        ProposedSlot.objects.create(request=request, starts_at=rome(day, 10), ends_at=rome(day, 11))
    actor_for(world["coordinator"])
    with django_assert_num_queries(4):
        found = candidates(user=world["coordinator"], request=request)
    assert [len(c.free_slots) for c in found] == [slots] * 3
