"""The public guide, no login: published versions only, in Italian or in one of the guide's languages.

A text shows in the chosen language only when its translation was approved and made from the Italian the public
reads; otherwise the Italian shows, marked ``lang="it"`` with a note. Addresses and phone numbers stay left to right
(``<bdi dir="ltr">``) inside right-to-left pages. Nothing personal is on these pages: entries are services."""

from __future__ import annotations

from functools import lru_cache

from babel import UnknownLocaleError
from babel.dates import get_day_names
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.models import District

from . import selectors, services
from .labels import LABELS, attribute, is_label
from .models import GuideLanguage, Schedule, TaxonomyTerm, Translation

PAGE_SIZE = 50
ITALIAN = GuideLanguage(code="ita", tag="it", native_name="Italiano", direction="ltr")


@lru_cache(maxsize=32)
def _day_names(tag: str) -> tuple[str, ...]:
    try:
        names = get_day_names("abbreviated", locale=tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):  # a tag CLDR does not know: the Italian names
        names = get_day_names("abbreviated", locale="it")
    return tuple(names[i] for i in range(7))


class Text:
    """A text as shown: the translation, or the Italian (``fallback``) when there is none valid."""

    def __init__(self, italian: str, row: Translation | None, language: GuideLanguage):
        translated = selectors.translated(italian, row) if language.code != "ita" else None
        self.text = translated if translated is not None else italian
        self.fallback = language.code != "ita" and translated is None and bool(italian)
        self.outdated = self.fallback and row is not None
        self.language = language

    def __str__(self):
        return self.text

    @property
    def lang_attrs(self) -> str:
        """` lang="it" dir="ltr"` for the Italian shown in another language's page, else nothing."""
        return mark_safe(' lang="it" dir="ltr"') if self.fallback else ""  # noqa: S308  a constant

    @property
    def lang_dir(self) -> str:
        """The text's own `lang` and `dir`, for an element outside the guide's language (Italian for a fallback)."""
        if self.fallback:
            return self.lang_attrs
        return format_html(' lang="{}" dir="{}"', self.language.tag, self.language.direction)


def _texts(kind, objects, fields, language, source) -> dict:
    rows = {}
    if language.code != "ita":
        for row in selectors.published_translations(
            kind=kind, object_ids=[o.pk for o in objects], language=language.code
        ):
            rows[(row.object_id, row.field)] = row
    return {
        o.pk: {field: Text(source(o, field), rows.get((str(o.pk), field)), language) for field in fields}
        for o in objects
    }


def _card(entry, texts, terms, language: GuideLanguage) -> dict:
    version = entry.published
    days = _day_names(language.tag)
    return {
        "entry": entry,
        "name": texts["name"],
        "description": texts["description"],
        "fees": texts["fees_description"],
        "eligibility": texts["eligibility_description"],
        "access": texts["application_process"],
        "category": terms.get(entry.published_category_id),
        "district": entry.published_district.name if entry.published_district_id else "",
        "organization": version["organization"],
        "address": f"{version['address_1']}, {version.get('postal_code', '')} {version['city']}".replace(" ,", ","),
        "phones": version["phones"],
        "hours": [
            {
                "days": " ".join(days[Schedule.DAYS.index(d)] for d in byday.split(",") if d in Schedule.DAYS),
                "time": f"{opens}–{closes}",
                "note": note,
            }
            for byday, opens, closes, note in version["schedules"]
        ],
        "languages": version["languages"],
        "email": version.get("email", ""),
        "url": version.get("url", ""),
    }


SERVICE_TEXTS = ["name", "description", "fees_description", "eligibility_description", "application_process"]


def _service_source(entry, field):
    return entry.published.get(field, "") or ""


def _service_texts(entries, language):
    rows = {}
    if language.code != "ita" and entries:
        for row in selectors.published_translations(
            kind=Translation.Kind.SERVICE, object_ids=[e.service_id for e in entries], language=language.code
        ):
            rows[(row.object_id, row.field)] = row
    return {
        e.pk: {f: Text(_service_source(e, f), rows.get((str(e.service_id), f)), language) for f in SERVICE_TEXTS}
        for e in entries
    }


def _terms(language) -> dict:
    terms = list(TaxonomyTerm.objects.all())
    texts = _texts(Translation.Kind.TAXONOMY_TERM, terms, ["name"], language, lambda o, f: getattr(o, f))
    return {t.pk: {"term": t, "name": texts[t.pk]["name"]} for t in terms}


def guide_texts(province, language: GuideLanguage) -> tuple[dict | None, dict[str, Text]]:
    """The introduction (title and text, or None) and the labels (``labels.address``…) of the province's guide in
    ``language``, by the content's rule: the approved translation made from the current Italian, else the Italian
    (``fallback``). Two queries whatever the number of labels: the texts, and their translations."""
    rows = selectors.public_texts(province=province)
    found = {}
    if language.code != "ita" and rows:
        for row in selectors.published_translations(
            kind=Translation.Kind.GUIDE_TEXT, object_ids=[r.pk for r in rows], language=language.code
        ):
            found[(row.object_id, row.field)] = row
    intro = next((r for r in rows if r.key == "introduction"), None)
    intro_texts = (
        {f: Text(getattr(intro, f), found.get((str(intro.pk), f)), language) for f in ("title", "text")}
        if intro
        else None
    )
    by_key = {r.key: r for r in rows if is_label(r.key)}
    labels = {}
    for key, italian in LABELS.items():
        row = by_key.get(key)
        # A province without its label rows yet (made after the migration) reads the default Italian.
        labels[attribute(key)] = Text(
            row.title if row else italian, found.get((str(row.pk), "title")) if row else None, language
        )
    return intro_texts, labels


def _language(request, languages: list[GuideLanguage]) -> GuideLanguage:
    """The guide's language asked for (``?lingua=ara``), among the active ones already read; else Italian."""
    code = request.GET.get("lingua")
    return next((language for language in languages if language.code == code), ITALIAN)


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 1000))
    except ValueError:
        return 1


def _without_cookies(request) -> None:
    """The public guide hands a visitor no cookie: the header's language switch needs no CSRF token from someone who
    is not logged in (accounts.views.set_language), so the page does not issue one."""
    if not request.user.is_authenticated:
        request.frame_without_csrf = True


def _count_view(request, province, language: GuideLanguage) -> None:
    """One more view of the province's guide in this language this month (robots and prefetches are not counted)."""
    if request.method == "GET":
        services.page_view_count(
            province=province,
            language=language.code,
            user_agent=request.headers.get("User-Agent", ""),
            prefetch="prefetch" in (request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")),
        )


def _map_points(cards, province, language: GuideLanguage) -> list[dict]:
    """The entries of the page that have a place on the map (published coordinates): what the markers show."""
    suffix = f"?lingua={language.code}" if language.code != "ita" else ""
    points = []
    for card in cards:
        version = card["entry"].published
        if version.get("latitude") is None or version.get("longitude") is None:
            continue
        points.append(
            {
                "name": str(card["name"]),
                "lang": "it" if card["name"].fallback else language.tag,
                "address": card["address"],
                "url": reverse("guide_public:entry", args=[province.slug, card["entry"].pk]) + suffix,
                "lat": float(version["latitude"]),
                "lon": float(version["longitude"]),
            }
        )
    return points


def index(request):
    _without_cookies(request)
    return render(
        request,
        "guide/public/index.html",
        {"provinces": selectors.public_provinces(), "guide_languages": selectors.guide_languages()},
    )


def province(request, slug):
    _without_cookies(request)
    province = selectors.public_province(slug=slug)
    languages = selectors.guide_languages()
    language = _language(request, languages)
    districts = list(District.objects.filter(province=province).order_by("name"))
    terms = _terms(language)
    district = next((d for d in districts if str(d.pk) == request.GET.get("ambito")), None)
    term = next((t["term"] for t in terms.values() if t["term"].code == request.GET.get("categoria")), None)
    # A NUL character cannot reach PostgreSQL (it refuses the query): a search never holds one.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    queryset = selectors.public_entries(
        province=province,
        district=district,
        category=term,
        language=None if language.code == "ita" else language.code,
        query=query,
    )
    # Pages without a count (one query fewer on every view): one row more than a page says whether another follows.
    number = _page_number(request)
    rows = list(queryset[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    entries, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    querystring = request.GET.copy()
    querystring.pop("page", None)
    texts = _service_texts(entries, language)
    intro_texts, labels = guide_texts(province, language)
    cards = [_card(e, texts[e.pk], terms, language) for e in entries]
    _count_view(request, province, language)
    tiles = settings.GUIDE_MAP_TILES_URL
    return render(
        request,
        "guide/public/province.html",
        {
            "province": province,
            "language": language,
            # Not "languages": the header's language switch uses that name.
            "guide_languages": [ITALIAN, *languages],
            "districts": districts,
            "district": district,
            "terms": terms.values(),
            "term": term,
            "query": query,
            "number": number,
            "has_next": has_next,
            "cards": cards,
            # The optional map (only when a tile server is set and some entry of the page has a place).
            "map_points": _map_points(cards, province, language) if tiles else [],
            "map_tiles": tiles,
            "map_attribution": settings.GUIDE_MAP_ATTRIBUTION,
            "intro": intro_texts,
            "labels": labels,
            "querystring": querystring.urlencode(),
        },
    )


def entry(request, slug, pk):
    _without_cookies(request)
    province = selectors.public_province(slug=slug)
    language = _language(request, selectors.guide_languages())
    found = selectors.public_entry(province=province, pk=pk)
    _count_view(request, province, language)
    card = _card(found, _service_texts([found], language)[found.pk], _terms(language), language)
    labels = guide_texts(province, language)[1]
    return render(
        request, "guide/public/entry.html", {"province": province, "language": language, "card": card, "labels": labels}
    )


# --- Printed booklets ---------------------------------------------------------------------------------------------


def editions(request, slug):
    """The ready editions of the province's booklet, newest first: district, language, date. Nobody's name."""
    province = selectors.public_province(slug=slug)
    known = selectors.languages_by_code()
    rows = list(selectors.public_editions(province=province)[:200])
    for edition in rows:
        edition.guide_language = known.get(edition.language)
    return render(request, "guide/public/editions.html", {"province": province, "editions": rows})


def edition_download(request, slug, pk):
    province = selectors.public_province(slug=slug)
    edition = selectors.public_edition(province=province, pk=pk)
    try:
        handle = edition.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=edition.filename, content_type="application/pdf")
