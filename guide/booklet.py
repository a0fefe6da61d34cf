"""The printable booklet of the guide: what goes in it (published versions only, approved and up-to-date
translations, the Italian marked ``lang="it"`` otherwise), its HTML and its PDF (WeasyPrint).

The same rules as the public pages, through the same helpers (guide.public_views: Text, the cards, the CLDR weekday
names): a family reads in the booklet what it reads online. Right-to-left languages get ``dir="rtl"``; addresses,
phone numbers and hours stay left to right inside (``<bdi dir="ltr">``). The fonts are the Noto families installed
with fonts-noto-core and fonts-noto-cjk (README, "Mini-guida multilingue").
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import IO
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import District, Province

from . import public_views, selectors
from .models import GuideLanguage

# The fonts of each script, first to last: WeasyPrint takes each character from the first font that has it.
FONTS = {
    "ar": '"Noto Naskh Arabic", "Noto Sans Arabic"',
    "ur": '"Noto Nastaliq Urdu", "Noto Naskh Arabic"',
    "pa": '"Noto Sans Gurmukhi"',
    "hi": '"Noto Sans Devanagari"',
    "zh": '"Noto Sans CJK SC"',
}
BASE_FONTS = '"Noto Sans", "DejaVu Sans"'
FALLBACK_FONTS = '"Noto Sans CJK SC", "Noto Naskh Arabic", "Noto Sans Gurmukhi", "Noto Sans Devanagari", sans-serif'


def language_of(code: str) -> GuideLanguage:
    """The guide's language of an edition (Italian included); unsaved Italian for ``ita``."""
    if code == public_views.ITALIAN.code:
        return public_views.ITALIAN
    return GuideLanguage.objects.get(code=code)


def font_stack(language: GuideLanguage) -> str:
    primary = FONTS.get(language.tag.split("-")[0].lower())
    return ", ".join(part for part in (primary, BASE_FONTS, FALLBACK_FONTS) if part)


def online_url(*, province: Province, district: District | None, language: GuideLanguage) -> str:
    """The public page of the same district and language, as an absolute address (the booklet's QR code)."""
    query = {}
    if language.code != public_views.ITALIAN.code:
        query["lingua"] = language.code
    if district is not None:
        query["ambito"] = district.pk
    address = f"{settings.PORTAL_BASE_URL}{reverse('guide_public:province', args=[province.slug])}"
    return f"{address}?{urlencode(query)}" if query else address


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#1a1a1a")


def _date_in(language: GuideLanguage, day: dt.date) -> str:
    """The edition's date in the booklet's language (CLDR), Italian for a tag CLDR does not know."""
    from babel import UnknownLocaleError
    from babel.dates import format_date

    try:
        return format_date(day, format="long", locale=language.tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return format_date(day, format="long", locale="it")


def booklet_context(
    *, province: Province, district: District | None, language: GuideLanguage, built_on: dt.date
) -> dict:
    """Everything the booklet shows: the cover, the introduction, the published entries grouped by category."""
    # Ordered by category, then name: consecutive entries of a category make its section. The cards read only the
    # published version (a JSON column): no query per entry.
    entries = list(selectors.public_entries(province=province, district=district))
    texts = public_views._service_texts(entries, language)
    terms = public_views._terms(language)
    cards = [public_views._card(entry, texts[entry.pk], terms, language) for entry in entries]
    known = selectors.languages_by_code()
    for card in cards:
        card["language_names"] = [known[code].native_name if code in known else code for code in card["languages"]]
    sections = [
        {"term": terms.get(key), "cards": list(group)}
        for key, group in groupby(cards, key=lambda card: card["entry"].published_category_id)
    ]
    intro_texts, labels = public_views.guide_texts(province, language)
    url = online_url(province=province, district=district, language=language)
    return {
        "province": province,
        "district": district,
        "language": language,
        "fonts": font_stack(language),
        "intro": intro_texts,
        "labels": labels,
        "sections": sections,
        "entry_count": len(cards),
        "built_on": built_on,
        "built_on_text": _date_in(language, built_on),
        "online_url": url,
        "qr": qr_data_uri(url),
    }


def booklet_html(context: dict) -> str:
    # The labels (Indirizzo, Telefono…) are the guide's texts in the booklet's language (context "labels"); the few
    # words left to the portal (the title, the QR code's alternative text) are its Italian.
    with translation.override("it"):
        return render_to_string("guide/booklet/booklet.html", context)


def write_booklet(context: dict, stream: IO[bytes]) -> None:
    import weasyprint

    weasyprint.HTML(string=booklet_html(context), base_url=str(settings.BASE_DIR)).write_pdf(stream)
