"""Scoped reads of the roster, and the availability answers the matching uses."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.utils import timezone

from accounts.models import District, Province, Role
from accounts.scoping import actor_for, visible
from core import cached_sets
from core.arrays import AnyOf
from core.text_lists import Named, items, text_list
from core.together import prefetch_together

from .languages import ListedLanguage, related_codes
from .models import Absence, AvailabilitySlot, Mediator, MediatorLanguage, Qualification

# What a row of the roster list shows: never the coordinators' notes or the contacts.
ROSTER_LIST_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "provider__name",
    "mode_in_person",
    "mode_phone",
    "mode_video",
    "is_active",
    "updated_at",
)


def roster(*, user) -> QuerySet[Mediator]:
    """The mediators a user may see, with what the roster list shows, in a fixed number of queries."""
    return (
        visible(user, Mediator)
        .select_related("provider")
        .prefetch_related(
            Prefetch("languages", queryset=MediatorLanguage.objects.order_by("code", "variant")),
            Prefetch("districts", queryset=District.objects.order_by("name")),
        )
    )


def roster_rows(queryset: QuerySet[Mediator]) -> QuerySet[Mediator]:
    """The roster list's rows of a :func:`roster` queryset: only what a row shows, with each mediator's languages and
    districts read in the row's own query (core.text_lists; :func:`with_row_lists` turns them into the lists a row
    shows). Prefetched, they cost two more queries and a model instance for each language and district of the
    page (issue #17)."""
    return (
        queryset.only(*ROSTER_LIST_FIELDS)
        .prefetch_related(None)
        .annotate(
            language_text=text_list(
                MediatorLanguage.objects.filter(mediator_id=OuterRef("pk")), "mediator_id", "code", "variant",
                ordering=("code", "variant"),
            ),
            district_text=district_names(OuterRef("pk")),
        )
    )  # fmt: skip


def district_names(mediator) -> Subquery:
    """An annotation: the names of a mediator's districts (``mediator``: an ``OuterRef`` to the mediator's id)."""
    through = Mediator.districts.through.objects.filter(mediator_id=mediator)
    return text_list(through, "mediator_id", "district__name", ordering=("district__name",))


def with_row_lists(mediators: list[Mediator]) -> list[Mediator]:
    """The rows of :func:`roster_rows` with ``language_list`` (languages, by code and variant) and ``district_list``
    (districts, by name, each only its name), as a row of the roster shows them: plain tuples, not model instances
    (a hundred of them on a page cost about a millisecond)."""
    for mediator in mediators:
        mediator.language_list = [ListedLanguage(*item) for item in items(mediator.language_text, sort=True)]
        mediator.district_list = [Named(*item) for item in items(mediator.district_text, sort=True)]
    return mediators


PROFILE_PARTS = ("languages", "districts", "countries", "trainings", "qualifications", "slots", "absences")


def _profile_page(mediators):
    return mediators.select_related("provider__province", "user")


def mediator_detail(*, user, pk, parts: tuple[str, ...] = PROFILE_PARTS) -> Mediator:
    """A mediator's profile with the lists the page shows (``parts``: all of them unless the page needs fewer): the
    districts (always, for the permission checks of ``can_edit_profile``) with one query, the other lists together
    with another (core/together.py)."""
    from accounts.scoping import one_for_user_or_404

    mediator = one_for_user_or_404(user, Mediator, pk, build=_profile_page)
    prefetch_related_objects([mediator], Prefetch("districts", queryset=District.objects.order_by("name")))
    # The absences not over yet.
    lists = [part for part in PROFILE_PARTS if part in parts and part != "districts"]
    prefetch_together([mediator], *lists, where={"absences": Q(end_date__gte=timezone.localdate())})
    return mediator


def own_mediator_profile(*, user, with_language_count: bool = False) -> Mediator | None:
    """The user's own mediator profile; ``with_language_count`` adds ``language_count`` in the same query."""
    profiles = Mediator.objects.filter(user=user)
    if with_language_count:
        profiles = profiles.annotate(language_count=Count("languages"))
    return profiles.first()


# --- What a user may do with a mediator -------------------------------------------------------------------------------


def can_edit_profile(*, user, mediator: Mediator) -> bool:
    """Coordinators of a district the mediator serves and the province's staff edit the whole profile."""
    actor = actor_for(user)
    if actor.is_admin:
        return True
    if actor.role == Role.PROVINCE_STAFF:
        return mediator.provider.province_id in actor.province_ids
    if actor.role == Role.COORDINATOR:
        # The districts come with the profile (mediator_detail prefetches them): no query for each question asked.
        return any(district.pk in actor.district_ids for district in mediator.districts.all())
    return False


def can_edit_availability(*, user, mediator: Mediator) -> bool:
    """The mediator keeps their own contacts, availability and absences; so do those who edit the profile."""
    actor = actor_for(user)
    if actor.role == Role.MEDIATOR and mediator.user_id == user.pk:
        return True
    return can_edit_profile(user=user, mediator=mediator)


def can_manage_roster(*, user) -> bool:
    actor = actor_for(user)
    return actor.is_admin or actor.role in (Role.COORDINATOR, Role.PROVINCE_STAFF)


# --- Availability -----------------------------------------------------------------------------------------------------


def available_on(queryset: QuerySet[Mediator], day: date) -> QuerySet[Mediator]:
    """Mediators with some weekly slot on that weekday and no absence covering that day."""
    slot = AvailabilitySlot.objects.filter(mediator=OuterRef("pk"), weekday=day.weekday())
    absent = Absence.objects.filter(mediator=OuterRef("pk"), start_date__lte=day, end_date__gte=day)
    return queryset.filter(Exists(slot), ~Exists(absent))


def current_absence(*, mediator: Mediator, day: date | None = None) -> Absence | None:
    today = timezone.localdate()
    day = day or today
    if day == today and "absences" in getattr(mediator, "_prefetched_objects_cache", {}):
        # mediator_detail prefetched the absences not over yet: today's is among them.
        current = [a for a in mediator.absences.all() if a.start_date <= day <= a.end_date]
        return min(current, key=lambda a: a.end_date, default=None)
    return mediator.absences.filter(start_date__lte=day, end_date__gte=day).order_by("end_date").first()


# --- Qualifications ---------------------------------------------------------------------------------------------------

EXPIRY_WINDOW_DAYS = 30


def expiring_qualifications(*, user, today: date | None = None) -> QuerySet[Qualification]:
    """Qualifications of visible mediators that expire within 30 days (or expired in the last 30 days)."""
    today = today or timezone.localdate()
    return (
        Qualification.objects.filter(
            mediator__in=visible(user, Mediator).filter(is_active=True),
            expires_on__gte=today - timedelta(days=EXPIRY_WINDOW_DAYS),
            expires_on__lte=today + timedelta(days=EXPIRY_WINDOW_DAYS),
        )
        .select_related("mediator")
        .order_by("expires_on", "mediator__last_name")
    )


def qualifications_expiring_for_district(*, district: District, today: date) -> QuerySet[Qualification]:
    return (
        Qualification.objects.filter(
            mediator__districts=district,
            mediator__is_active=True,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=EXPIRY_WINDOW_DAYS),
        )
        .select_related("mediator")
        .order_by("expires_on")
    )


# --- The languages of the roster's filter -----------------------------------------------------------------------------

DISTRICT_LANGUAGES = "mediators:languages:v1:district"
PROVINCE_LANGUAGES = "mediators:languages:v1:province"


def _languages_by(path: str):
    def compute(ids: list[int]) -> dict[int, list[str]]:
        # One query per district or province (a page needs one or two; the portal's whole roster, one per province),
        # each looking its mediators' languages up by index (core.arrays), never reading every mediator's.
        found: dict[int, list[str]] = {}
        for pk in ids:
            mediators = Mediator.objects.filter(**{path: pk}).order_by().values("pk")
            codes = MediatorLanguage.objects.filter(AnyOf("mediator_id", mediators)).order_by()
            found[pk] = sorted(set(codes.values_list("code", flat=True).distinct()))
        return found

    return compute


def language_codes_in_roster(*, user) -> list[str]:
    """The ISO 639-3 codes spoken by the mediators a user sees, for the roster's language filter.

    Kept in the cache per district (a coordinator's roster: the mediators serving it) and per province (the province
    staff's: the mediators of its providers), rather than read from every mediator on every page; the roster's
    services forget them when a mediator's languages, districts or provider change."""
    actor = actor_for(user)
    if actor.role == Role.COORDINATOR:
        per_id = cached_sets.get_per_id(
            DISTRICT_LANGUAGES, sorted(actor.district_ids), _languages_by("districts"), default=[]
        )
    elif actor.role == Role.PROVINCE_STAFF or actor.is_admin:
        provinces = actor.province_ids if not actor.is_admin else Province.objects.values_list("pk", flat=True)
        per_id = cached_sets.get_per_id(
            PROVINCE_LANGUAGES, sorted(provinces), _languages_by("provider__province"), default=[]
        )
    else:
        return []
    return sorted({code for codes in per_id.values() for code in codes})


def forget_roster_languages(*, province_ids) -> None:
    """Called by the services that change a mediator's languages, districts or provider: the provinces' entries and
    those of their districts are computed again."""
    province_ids = {pk for pk in province_ids if pk is not None}
    if not province_ids:
        return
    cached_sets.forget(PROVINCE_LANGUAGES, province_ids)
    districts = District.objects.filter(province_id__in=province_ids).values_list("pk", flat=True)
    cached_sets.forget(DISTRICT_LANGUAGES, districts)


def mediators_speaking(queryset: QuerySet[Mediator], *, code: str = "", variant: str = "") -> QuerySet[Mediator]:
    """Language and variant are matched on the same language row (Arabic *and* Darija, not Arabic or Darija)."""
    if not code and not variant:
        return queryset
    rows = MediatorLanguage.objects.filter(mediator=OuterRef("pk"))
    if code:
        # A language finds the speakers of its macrolanguage and, for a macrolanguage, of its individual languages
        # (ary ↔ ara, apc → ara, cmn ↔ zho): see mediators.languages.
        rows = rows.filter(code__in=sorted(related_codes(code)))
    if variant:
        rows = rows.filter(variant__icontains=variant)
    return queryset.filter(Exists(rows))


def serving_district(queryset: QuerySet[Mediator], district: District) -> QuerySet[Mediator]:
    through = Mediator.districts.through.objects.filter(mediator=OuterRef("pk"), district=district)
    return queryset.filter(Exists(through))


def search_text(queryset: QuerySet[Mediator], text: str) -> QuerySet[Mediator]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(last_name__icontains=text) | Q(first_name__icontains=text) | Q(email__icontains=text))
