"""Reads of the mini-guide: the working entries through the scoping engine, the public guide from published
versions only."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import District, Province
from accounts.scoping import get_for_user_or_404, visible
from mediators.models import Mediator

from .labels import PREFIX as LABEL_PREFIX
from .models import (
    EntryChange,
    EntryState,
    GuideEdition,
    GuideLanguage,
    GuideText,
    Organization,
    PageView,
    ServiceAtLocation,
    TaxonomyTerm,
    Translation,
    TranslationTask,
    source_hash,
)

# An entry nobody checked for this long is flagged to its district (HSDS assured_date).
REVIEW_AFTER = timedelta(days=365)


def entries(*, user) -> QuerySet[ServiceAtLocation]:
    """The entries a user maps or reviews, with what the list shows, in a fixed number of queries."""
    return visible(user, ServiceAtLocation).select_related(
        "service__organization", "service__category", "location", "district"
    )


def entry_for(*, user, pk) -> ServiceAtLocation:
    """One entry of the user's district (or province), or 404: another district's drafts do not exist for them."""
    return get_for_user_or_404(
        user,
        entries(user=user).prefetch_related("phones", "schedules", "languages"),
        pk=pk,
    )


def review_due_before(today: date | None = None) -> date:
    return (today or timezone.localdate()) - REVIEW_AFTER


def to_review(queryset: QuerySet[ServiceAtLocation], today: date | None = None) -> QuerySet[ServiceAtLocation]:
    """Entries not checked against reality for twelve months: the district should call them."""
    return queryset.filter(assured_date__lt=review_due_before(today))


def entries_to_review(*, user, today: date | None = None) -> QuerySet[ServiceAtLocation]:
    return to_review(entries(user=user), today)


def entry_history(*, entry: ServiceAtLocation):
    return entry.changes.select_related("by")


def tasks(*, user) -> QuerySet[TranslationTask]:
    return visible(user, TranslationTask).select_related(
        "entry__service", "translator", "reviewer", "district", "province"
    )


def task_for(*, user, pk) -> TranslationTask:
    return get_for_user_or_404(user, tasks(user=user), pk=pk)


def guide_languages() -> list[GuideLanguage]:
    return list(GuideLanguage.objects.filter(is_active=True))


# --- The public guide: published versions only ------------------------------------------------------------------------


def public_provinces() -> QuerySet[Province]:
    """The provinces with at least one published entry."""
    return Province.objects.filter(
        Exists(ServiceAtLocation.objects.filter(province=OuterRef("pk"), is_public=True))
    ).order_by("name")


def public_province(*, slug: str) -> Province:
    return get_object_or_404(public_provinces(), slug=slug)


def published_translations(*, kind: str, object_ids, language: str | None) -> QuerySet[Translation]:
    """Approved translations of these objects (to be checked against the published source: see translated()), and the
    outdated ones: never shown, they make the page say "being updated" rather than "not translated yet"."""
    if not language:
        return Translation.objects.none()
    return Translation.objects.filter(
        object_kind=kind,
        object_id__in=[str(i) for i in object_ids],
        language=language,
        status__in=[Translation.Status.APPROVED, Translation.Status.OUTDATED],
    )


def translated(source: str, row: Translation | None) -> str | None:
    """The translation of ``source`` if it was made from that very Italian, else None (the page shows Italian)."""
    if row is None or row.status != Translation.Status.APPROVED or row.source_hash != source_hash(source):
        return None
    return row.text


def public_entries(
    *,
    province: Province | None,
    district: District | None = None,
    category: TaxonomyTerm | None = None,
    language: str | None = None,
    query: str = "",
    speaks: str = "",
) -> QuerySet[ServiceAtLocation]:
    """Published entries of a province (of every province: None), for one district (its own entries and its
    province's whole-province ones), one category, a language spoken there (``speaks``, ISO 639-3, as published), and
    a search in the published Italian and in the approved translations of ``language``."""
    queryset = ServiceAtLocation.objects.filter(is_public=True).select_related(
        "published_category", "published_district"
    )
    if province is not None:
        queryset = queryset.filter(province=province)
    if district is not None:
        queryset = queryset.filter(
            Q(published_district=district) | Q(published_district__isnull=True, province_id=district.province_id)
        )
    if category is not None:
        queryset = queryset.filter(published_category=category)
    if speaks:
        # The published languages are a JSON list of three-letter codes: the code with its quotes is one whole item
        # (a containment lookup would do on PostgreSQL, but SQLite has none).
        queryset = queryset.filter(published__languages__icontains=f'"{speaks}"')
    query = query.strip()[:100]
    if query:
        condition = Q(published_name__icontains=query) | Q(published_description__icontains=query)
        if language:
            matching = Translation.objects.filter(
                object_kind=Translation.Kind.SERVICE,
                language=language,
                status=Translation.Status.APPROVED,
                field__in=["name", "description"],
                text__icontains=query,
            ).values_list("object_id", flat=True)
            # The table keys objects of every kind by text: read the services' ids back as UUIDs (one query, only
            # when searching), since a text column and a UUID column compare differently on each database.
            condition |= Q(service_id__in=[uuid.UUID(value) for value in matching])
        queryset = queryset.filter(condition)
    return queryset.order_by("published_category__position", "published_name", "pk")


def public_entry(*, province: Province | None, pk) -> ServiceAtLocation:
    """A published entry (of this province, unless None), or 404: a draft, a withdrawn entry or one never published
    does not exist for the public."""
    queryset = ServiceAtLocation.objects.select_related("province", "published_category", "published_district")
    if province is not None:
        queryset = queryset.filter(province=province)
    try:
        return queryset.get(pk=pk, is_public=True)
    except (ServiceAtLocation.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def organization_ids(*, names) -> dict[tuple[int, str], uuid.UUID]:
    """The organisations of these (province id, published name) pairs, by pair: one query. The published version
    names its organisation; its id is the directory's (the HSDS export's), when a row of that name still exists."""
    names = set(names)
    if not names:
        return {}
    rows = Organization.objects.filter(
        province_id__in={province_id for province_id, _name in names}, name__in={name for _id, name in names}
    ).values_list("province_id", "name", "pk")
    return {(province_id, name): pk for province_id, name, pk in rows if (province_id, name) in names}


def introduction(*, province: Province) -> GuideText | None:
    return GuideText.objects.filter(province=province, key="introduction").first()


def public_texts(*, province: Province) -> list[GuideText]:
    """The introduction and the labels of a province's public guide, in one query (guide.labels)."""
    return list(
        GuideText.objects.filter(province=province)
        .filter(Q(key="introduction") | Q(key__startswith=LABEL_PREFIX))
        .order_by("key", "pk")
    )


def label_text_ids(*, province_id) -> set[str]:
    """The ids (as translations key them) of a province's label texts: the side-by-side page names them so."""
    return {
        str(pk)
        for pk in GuideText.objects.filter(province_id=province_id, key__startswith=LABEL_PREFIX).values_list(
            "pk", flat=True
        )
    }


def pending_states() -> list[str]:
    return [EntryState.DRAFT, EntryState.SUBMITTED, EntryState.RETURNED]


def entries_with_children(queryset: QuerySet[ServiceAtLocation]) -> QuerySet[ServiceAtLocation]:
    return queryset.prefetch_related(Prefetch("phones"), Prefetch("schedules"), Prefetch("languages"))


# --- Editions of the booklet ------------------------------------------------------------------------------------------


def editions(*, user) -> QuerySet[GuideEdition]:
    """The editions a user asked for or oversees, newest first, with what the list shows."""
    return visible(user, GuideEdition).select_related("province", "district", "built_by").order_by("-created_at", "pk")


def edition_for(*, user, pk) -> GuideEdition:
    return get_for_user_or_404(user, editions(user=user), pk=pk)


def public_editions(*, province: Province) -> QuerySet[GuideEdition]:
    """The ready editions of a published guide, newest first: kept for good, so a family finds the one it was given."""
    return (
        GuideEdition.objects.filter(province=province, status=GuideEdition.Status.DONE)
        .exclude(file="")
        .select_related("province", "district")
        .order_by("-built_at", "pk")
    )


def public_edition(*, province: Province, pk) -> GuideEdition:
    try:
        return public_editions(province=province).get(pk=pk)
    except (GuideEdition.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def languages_by_code() -> dict[str, GuideLanguage]:
    """Every language of the guide by its code, Italian included (unsaved): names and tags for the lists."""
    italian = GuideLanguage(code=GuideEdition.ITALIAN, tag="it", native_name="Italiano", direction="ltr")
    return {GuideEdition.ITALIAN: italian, **{language.code: language for language in GuideLanguage.objects.all()}}


# --- The guide in the report to the funder (reporting reads these; the guide never imports reporting) -----------------


def mini_guide_figures(*, province: Province, start, end, district: District | None = None) -> dict:
    """What the "mini-guide" action did for a province (or one district) between ``start`` and ``end`` (aware
    datetimes, end exclusive), as raw counts; the report applies the funder's rule. Six queries (five for a
    district) whatever the size.

    - ``entries_by_district``: entries public by the end of the period (published for the first time before it),
      per district of their published version, ("", n) for the whole province's;
    - ``translated_by_language``: of those, how many have an approved translation of their name and description
      made from the Italian the public reads now (an outdated one does not count), per language;
    - ``approved_by_language``: translated texts (a field of an entry, or of the province's introduction) approved
      in the period, per language, even if the Italian changed since;
    - ``views``: (month, language, views) of the province's public guide, for the months the period touches (page
      views are counted per province: a district's report shows its province's);
    - ``booklet_editions``: (language, district name or "" for the whole province, editions built in the period,
      the most entries one of them held) of the printable booklet.
    """
    entries = ServiceAtLocation.objects.filter(province=province)
    if district is not None:
        entries = entries.filter(district=district)
    rows = list(
        entries.annotate(
            public_by_end=Exists(
                EntryChange.objects.filter(entry=OuterRef("pk"), action=EntryChange.Action.PUBLISHED, at__lt=end)
            )
        ).values(
            "service_id",
            "is_public",
            "public_by_end",
            "published_name",
            "published_description",
            "published_district__name",
        )  # fmt: skip
    )
    public = [row for row in rows if row["is_public"] and row["public_by_end"]]
    by_district: dict[str, int] = {}
    for row in public:
        name = row["published_district__name"] or ""
        by_district[name] = by_district.get(name, 0) + 1
    sources = {
        str(row["service_id"]): {"name": row["published_name"], "description": row["published_description"]}
        for row in public
    }
    translated: dict[str, set] = {}
    for row in Translation.objects.filter(
        object_kind=Translation.Kind.SERVICE,
        object_id__in=list(sources),
        status=Translation.Status.APPROVED,
        field__in=["name", "description"],
    ).values("object_id", "field", "language", "source_hash"):
        if row["source_hash"] == source_hash(sources[row["object_id"]][row["field"]]):
            translated.setdefault(row["language"], set()).add((row["object_id"], row["field"]))
    translated_by_language = {
        language: len({object_id for object_id, _field in fields if (object_id, "name") in fields
                       and (object_id, "description") in fields})
        for language, fields in translated.items()
    }  # fmt: skip
    objects = Q(object_kind=Translation.Kind.SERVICE, object_id__in=[str(row["service_id"]) for row in rows])
    if district is None:
        texts = [str(pk) for pk in GuideText.objects.filter(province=province).values_list("pk", flat=True)]
        objects |= Q(object_kind=Translation.Kind.GUIDE_TEXT, object_id__in=texts)
    approved = (
        Translation.objects.filter(objects, approved_at__gte=start, approved_at__lt=end)
        .exclude(status__in=[Translation.Status.DRAFT, Translation.Status.SUBMITTED])
        .values("language")
        .annotate(n=Count("pk"))
        .order_by("language")
    )
    first_month = timezone.localtime(start).date().replace(day=1)
    last_day = timezone.localtime(end - timedelta(microseconds=1)).date()
    views = (
        PageView.objects.filter(province=province, month__gte=first_month, month__lte=last_day)
        .values("month", "language")
        .annotate(n=Sum("views"))
        .order_by("month", "language")
    )
    editions = GuideEdition.objects.filter(
        province=province, status=GuideEdition.Status.DONE, built_at__gte=start, built_at__lt=end
    )
    if district is not None:
        editions = editions.filter(district=district)
    editions = (
        editions.values("language", "district__name")
        .annotate(n=Count("pk"), entries=Max("entry_count"))
        .order_by("language", "district__name")
    )
    return {
        "entries_by_district": sorted(by_district.items(), key=lambda item: (item[0] == "", item[0])),
        "published": len(public),
        "translated_by_language": sorted((k, v) for k, v in translated_by_language.items() if v),
        "approved_by_language": [(row["language"], row["n"]) for row in approved],
        "views": [(row["month"], row["language"], row["n"]) for row in views],
        "booklet_editions": [
            (row["language"], row["district__name"] or "", row["n"], row["entries"]) for row in editions
        ],
    }


# --- Translation work, as the timesheets count it -------------------------------------------------------------------


def approved_translation_work(*, mediator_ids=None, approved_from, approved_until) -> QuerySet[TranslationTask]:
    """The translation tasks approved in ``[approved_from, approved_until)`` with the hours their translators spent,
    of these mediators (all when None), oldest first. Each carries ``sheet_district_id``: the task's district, or for
    a task of the whole province the first district (by name) the translator serves in that province — the
    timesheet the work belongs to. One query; the timesheets app (above the guide) adds its rates and its
    provinces' setting."""
    serves = (
        Mediator.districts.through.objects.filter(
            mediator_id=OuterRef("translator_id"), district__province_id=OuterRef("province_id")
        )
        .order_by("district__name", "district_id")
        .values("district_id")[:1]
    )
    rows = TranslationTask.objects.filter(
        status=TranslationTask.Status.APPROVED,
        hours_spent__isnull=False,
        approved_at__gte=approved_from,
        approved_at__lt=approved_until,
    )
    if mediator_ids is not None:
        rows = rows.filter(translator_id__in=list(mediator_ids))
    return (
        rows.annotate(sheet_district_id=Coalesce("district_id", Subquery(serves), output_field=BigIntegerField()))
        .select_related("entry__service")
        .order_by("approved_at", "pk")
    )
