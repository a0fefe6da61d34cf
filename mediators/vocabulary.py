"""The words people write in a roster spreadsheet, understood: language and country names in Italian or English
(CLDR's names through Babel, and pycountry's), ISO codes of two or three letters, in any case and with or without
accents. Used by the roster import (mediators/importing.py)."""

from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale

from .languages import language_name
from .models import _pycountry_catalog


def plain(text: str) -> str:
    """``"  Modalità "`` → ``"modalita"``: lower case, no accents, single spaces; for comparing what people type."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("’", "'").split())


def _language_code(key: str) -> str | None:
    """A Babel or pycountry key (``ar``, ``ara``, ``fre``) → the ISO 639-3 code, if there is one."""
    key = key.lower()
    if len(key) == 2:
        record = pycountry.languages.get(alpha_2=key)
    elif len(key) == 3:
        record = pycountry.languages.get(alpha_3=key)
        if record is None:
            # ISO 639-2/B codes, still used in libraries and some registers: fre, ger, chi, alb…
            record = next((r for r in pycountry.languages if getattr(r, "bibliographic", None) == key), None)
    else:
        return None
    return getattr(record, "alpha_3", None)


@lru_cache(maxsize=1)
def _languages() -> tuple[dict[str, str], dict[str, str]]:
    """(plain name → ISO 639-3 code, plain code → ISO 639-3 code). The first name wins: CLDR's Italian and English
    names, then pycountry's for the languages with a two-letter code, then every other one."""
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    # The names the portal itself shows (mediators.languages: CLDR, with its own Italian names where CLDR has none,
    # "pashto settentrionale"), so that whatever a page writes, an import reads back.
    individual = [r for r in pycountry.languages if getattr(r, "type", "L") in ("L", "M")]
    for record in sorted(individual, key=lambda r: not hasattr(r, "alpha_2")):
        for locale in ("it", "en"):
            names.setdefault(plain(language_name(record.alpha_3, locale, label=False)), record.alpha_3)
    for locale in ("it", "en"):
        for key, name in Locale(locale).languages.items():
            code = _language_code(key) if "_" not in key else None
            if code:
                names.setdefault(plain(name), code)
    italian = _pycountry_catalog("iso639-3", "it")
    records = sorted(pycountry.languages, key=lambda r: not hasattr(r, "alpha_2"))
    for record in records:
        for name in {record.name, getattr(record, "common_name", record.name)}:
            names.setdefault(plain(name), record.alpha_3)
            names.setdefault(plain(italian.gettext(name)), record.alpha_3)
        codes[record.alpha_3] = record.alpha_3
        if hasattr(record, "alpha_2"):
            codes[record.alpha_2] = record.alpha_3
        if hasattr(record, "bibliographic"):
            codes.setdefault(record.bibliographic, record.alpha_3)
    return names, codes


def language_code(text: str) -> str | None:
    """``"ara"``, ``"AR"``, ``"arabo"``, ``"Arabic"``, ``"àrabo"`` → ``"ara"``; ``None`` when it is none of them."""
    names, codes = _languages()
    key = plain(text)
    return codes.get(key) or names.get(key)


def language_suggestion(text: str) -> tuple[str, str] | None:
    """The closest language name to a misspelt one, with its code: ``"arabico"`` → ``("arabo", "ara")``."""
    names, _codes = _languages()
    match = difflib.get_close_matches(plain(text), names.keys(), n=1, cutoff=0.75)
    return (match[0], names[match[0]]) if match else None


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for locale in ("it", "en"):
        for key, name in Locale(locale).territories.items():
            if len(key) == 2 and key.isalpha() and pycountry.countries.get(alpha_2=key):
                names.setdefault(plain(name), key)
    italian = _pycountry_catalog("iso3166-1", "it")
    for record in pycountry.countries:
        for name in {record.name, getattr(record, "common_name", record.name), getattr(record, "official_name", "")}:
            if name:
                names.setdefault(plain(name), record.alpha_2)
                names.setdefault(plain(italian.gettext(name)), record.alpha_2)
        codes[record.alpha_2.lower()] = record.alpha_2
        codes[record.alpha_3.lower()] = record.alpha_2
    return names, codes


def country_code(text: str) -> str | None:
    """``"MA"``, ``"mar"``, ``"Marocco"``, ``"Morocco"`` → ``"MA"``; ``None`` when it is none of them."""
    names, codes = _countries()
    key = plain(text)
    return codes.get(key) or names.get(key)


def country_suggestion(text: str) -> tuple[str, str] | None:
    names, _codes = _countries()
    match = difflib.get_close_matches(plain(text), names.keys(), n=1, cutoff=0.75)
    return (match[0], names[match[0]]) if match else None
