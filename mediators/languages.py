"""Languages as people read them, and which ISO 639-3 codes serve each other.

Names: CLDR's (through Babel) in the interface language, keyed by the ISO 639-1 code when the language has one
(``ara`` → ``ar`` → "arabo") and by the ISO 639-3 code otherwise (``ary`` → "arabo marocchino"). CLDR leaves out a
few languages met in Lombardy's migrant families (Northern Pashto, Western Panjabi, Dari…): for those a short table
below, then pycountry's own translations, then pycountry's English name.

Macrolanguages: ISO 639-3 groups individual languages under a macrolanguage (Moroccan Arabic ``ary`` under Arabic
``ara``; Mandarin ``cmn`` and Cantonese ``yue`` under Chinese ``zho``). A mediator registered as "Arabic, variant
Darija" speaks what a request in ``ary`` asks for, and a request in ``ara`` is served by a Levantine Arabic (``apc``)
speaker. So an individual language and its macrolanguage *match*, both ways; two individual languages of the same
macrolanguage do not (Cantonese is not Mandarin, Darija is hard for an Egyptian): see :func:`related_codes`.

The import of rosters reads Italian and English names back into codes with :func:`language_code_for_name`, kept here
beside the names so that both directions use the same table.
"""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import pycountry
from babel import Locale
from django.conf import settings
from django.db.models import Case, CharField, F, Value, When
from django.utils import translation
from django.utils.text import capfirst

# Italian names for registry languages CLDR does not name (checked against Babel 2.19 / CLDR 47), and one CLDR name
# nobody in Italy would recognise (Twi is "ci" in CLDR's Italian).
_ITALIAN_NAMES = {
    "acm": "arabo mesopotamico",
    "apd": "arabo sudanese",
    "cmn": "cinese mandarino",
    "fuc": "pulaar",
    "fuf": "pular",
    "kmr": "curdo settentrionale (kurmanji)",
    "kri": "krio",
    "mnk": "mandinka",
    "pbu": "pashto settentrionale",
    "pst": "pashto centrale",
    "pbt": "pashto meridionale",
    "pnb": "punjabi occidentale",
    "prs": "dari",
    "pes": "persiano iraniano (farsi)",
    "rmy": "romanì vlax",
    "skr": "saraiki",
    "apc": "arabo levantino",
    "ajp": "arabo levantino meridionale",
    "arb": "arabo standard",
    "twi": "twi",
}

# --- Macrolanguages ---------------------------------------------------------------------------------------------------
# Source: SIL International, ISO 639-3 Registration Authority, "iso-639-3-macrolanguages.tab"
# (https://iso639-3.sil.org/code_tables/download_tables), limited to the macrolanguages spoken by the families and
# mediators of this portal. Codes pycountry does not know (retired ones) are dropped when the table is read.
MACROLANGUAGES: dict[str, tuple[str, ...]] = {
    # Arabic
    "ara": (
        "aao", "abh", "abv", "acm", "acq", "acw", "acx", "acy", "adf", "aeb", "aec", "afb", "ajp", "apc", "apd", "arb",
        "arq", "ars", "ary", "arz", "auz", "avl", "ayh", "ayl", "ayn", "ayp", "pga", "shu", "ssh",
    ),
    # Chinese
    "zho": (
        "cdo", "cjy", "cmn", "cnp", "cpx", "csp", "czh", "czo", "gan", "hak", "hsn", "lzh", "mnp", "nan", "wuu", "yue",
    ),
    "pus": ("pbt", "pbu", "pst"),  # Pashto
    "fas": ("pes", "prs"),  # Persian: Iranian Persian (Farsi), Dari
    "msa": ("ind", "zlm", "zsm", "min", "bjn", "mly", "jax", "meo", "mfa"),  # Malay
    "swa": ("swc", "swh"),  # Swahili
    "kur": ("ckb", "kmr", "sdh"),  # Kurdish: Sorani, Kurmanji, Southern
    "orm": ("gax", "gaz", "hae", "orc"),  # Oromo
    "aze": ("azb", "azj"),  # Azerbaijani
    "uzb": ("uzn", "uzs"),  # Uzbek
    "est": ("ekk", "vro"),  # Estonian
    "lav": ("ltg", "lvs"),  # Latvian
    "nep": ("dty", "npi"),  # Nepali
    "sqi": ("aae", "aat", "aln", "als"),  # Albanian: Arbëreshë, Arvanitika, Gheg, Tosk
    "mon": ("khk", "mvf"),  # Mongolian
    "que": ("qub", "qud", "quf", "qug", "quh", "quk", "qul", "qup", "qus", "quw", "quy", "quz", "qvi", "qxp"),
    "grn": ("gnw", "gug", "gui", "gun", "nhd"),  # Guarani
    "aym": ("ayc", "ayr"),  # Aymara
    "kau": ("kby", "knc", "krt"),  # Kanuri
    "ful": ("ffm", "fub", "fuc", "fue", "fuf", "fuh", "fui", "fuq", "fuv"),  # Fulah: Pulaar, Pular, Fulfulde…
    "zza": ("diq", "kiu"),  # Zaza
    "yid": ("ydd", "yih"),  # Yiddish
    "hbs": ("bos", "cnr", "hrv", "srp"),  # Serbo-Croatian: Bosnian, Montenegrin, Croatian, Serbian
    "lah": ("hnd", "hno", "jat", "phr", "pmu", "pnb", "skr", "xhe"),  # Lahnda: Western Panjabi, Saraiki…
    "rom": ("rmc", "rmf", "rml", "rmn", "rmo", "rmw", "rmy"),  # Romany
    "man": ("emk", "mku", "mlq", "mnk", "msc", "mwk", "myq"),  # Mandingo: Mandinka…
    "bal": ("bcc", "bgn", "bgp"),  # Baluchi
    "mlg": ("bhr", "bmm", "bzc", "msh", "plt", "skg", "tdx", "tkg", "txy", "xmv", "xmw"),  # Malagasy
    "tmh": ("taq", "thv", "thz", "ttq"),  # Tamashek (Tuareg)
    "din": ("dib", "dik", "dip", "diw", "dks"),  # Dinka
    "kon": ("kng", "kwy", "ldi"),  # Kongo
    "aka": ("fat", "twi"),  # Akan: Fanti, Twi
    "ori": ("ory", "spv"),  # Oriya
    "kln": ("enb", "eyo", "niq", "oki", "pko", "sgc", "spy", "tec", "tuy"),  # Kalenjin
}  # fmt: skip

# Words a mediator writes as the variant of a macrolanguage for one of its individual languages ("Arabic, Darija"),
# besides the individual language's own names: they let a request in ``ary`` rank an "ara + Darija" speaker first.
VARIANT_WORDS: dict[str, tuple[str, ...]] = {
    "ary": ("darija", "marocchin", "morocc", "maroc"),
    "arz": ("egizian", "egypt", "masri"),
    "apc": ("levantin", "levant", "shami", "siriano", "syrian", "libanese", "lebanese", "palestin"),
    "ajp": ("giordan", "jordan", "palestin"),
    "aeb": ("tunisin", "tunisian", "tounsi"),
    "arq": ("algerin", "algerian"),
    "ayl": ("libic", "libyan"),
    "apd": ("sudanes",),
    "acm": ("iraqen", "iraqi", "irachen", "mesopotam"),
    "cmn": ("mandarin", "putonghua"),
    "yue": ("cantones",),
    "wuu": ("wu", "wenzhou", "shanghai", "qingtian"),
    "nan": ("min nan", "hokkien", "taiwanese", "fujian"),
    "prs": ("dari",),
    "pes": ("farsi", "iranian", "iranian"),
    "ckb": ("sorani",),
    "kmr": ("kurmanji",),
    "fuc": ("pulaar",),
    "fuf": ("pular", "fouta"),
    "pbu": ("settentrional", "northern"),
    "swh": ("kiswahili",),
    "pnb": ("shahmukhi", "western panjabi", "punjabi occidentale"),
}


def _interface_language(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


@lru_cache(maxsize=8)
def _cldr_names(language: str) -> dict[str, str]:
    return Locale.parse("en_GB" if language == "en" else language).languages


@lru_cache(maxsize=8)
def _pycountry_catalog(domain: str, language: str):
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def cldr_key(code: str) -> str:
    """The key CLDR names a language by: ISO 639-1 when there is one (ara → ar), the ISO 639-3 code otherwise."""
    record = pycountry.languages.get(alpha_3=code)
    return getattr(record, "alpha_2", code) if record is not None else code


@lru_cache(maxsize=4096)
def _name(code: str, language: str) -> str:
    record = pycountry.languages.get(alpha_3=code)
    if record is None:
        return code
    if language == "it" and code in _ITALIAN_NAMES:
        return _ITALIAN_NAMES[code]
    cldr = _cldr_names(language)
    for key in (cldr_key(code), code):
        if key in cldr:
            return cldr[key]
    if language == "en":
        return record.name
    return _pycountry_catalog("iso639-3", language).gettext(record.name)


def language_name(code: str, language: str | None = None, *, label: bool = True) -> str:
    """The name of an ISO 639-3 language in ``language`` (the active one by default): ``ful`` → "Fulah", "Fula".

    As a label (menus, tables, headings) its first letter is a capital; inside a sentence (``label=False``) Italian
    keeps CLDR's lower case: "non parla arabo".
    """
    interface = _interface_language(language)
    return _label(code, interface) if label else _name(code, interface)


@lru_cache(maxsize=4096)
def _label(code: str, language: str) -> str:
    # Every language of every row of a list asks for its label: written once per language (capfirst is lazy-aware,
    # a few microseconds a call).
    return capfirst(_name(code, language))


def sort_key(text: str) -> str:
    """An order people expect in Italian and English: case and accents do not count ("Ebraico" before "èwè")."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sorted_by_name(pairs):
    """(code, name) pairs in the order of their names, read as above."""
    return sorted(pairs, key=lambda pair: (sort_key(pair[1]), pair[0]))


# --- Matching ---------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _members() -> dict[str, frozenset[str]]:
    return {
        macro: frozenset(code for code in codes if pycountry.languages.get(alpha_3=code) is not None)
        for macro, codes in MACROLANGUAGES.items()
    }


@lru_cache(maxsize=1)
def _macro_of() -> dict[str, str]:
    return {code: macro for macro, codes in _members().items() for code in codes}


def macrolanguage_of(code: str) -> str | None:
    """``ary`` → ``ara``; None for a macrolanguage or a language outside the table."""
    return _macro_of().get(code)


def individual_languages(code: str) -> frozenset[str]:
    """``ara`` → {``ary``, ``arz``, ``apc``, …}; empty for a language that is not a macrolanguage (in the table)."""
    return _members().get(code, frozenset())


def related_codes(code: str) -> frozenset[str]:
    """The codes whose speakers serve a request in ``code``: the code itself, its macrolanguage, and, for a
    macrolanguage, its individual languages. Two individual languages of one macrolanguage are not related."""
    related = {code}
    macro = macrolanguage_of(code)
    if macro:
        related.add(macro)
    related.update(individual_languages(code))
    return frozenset(related)


def expand_codes(codes) -> list[str]:
    """Every code related to any of ``codes``, sorted (for a ``code__in`` filter)."""
    result: set[str] = set()
    for code in codes:
        result |= related_codes(code)
    return sorted(result)


def group_code(code: str) -> str:
    """The code a report counts a language under: its macrolanguage when it has one (ary → ara)."""
    return macrolanguage_of(code) or code


def group_expression(field: str = "code"):
    """A database expression giving :func:`group_code` of ``field``, for reports that GROUP BY language."""
    whens = [When(**{f"{field}__in": sorted(codes)}, then=Value(macro)) for macro, codes in _members().items()]
    return Case(*whens, default=F(field), output_field=CharField())


def variant_names(code: str) -> tuple[str, ...]:
    """Folded words that, in the variant of a macrolanguage row, say it is the individual language ``code``."""
    words = set(VARIANT_WORDS.get(code, ()))
    record = pycountry.languages.get(alpha_3=code)
    if record is not None and macrolanguage_of(code):
        words.add(sort_key(record.name))
        words.add(sort_key(_name(code, "it")))
    return tuple(sort_key(word) for word in words)


def variant_says(code: str, variant: str) -> bool:
    """True when ``variant`` written beside a macrolanguage names its individual language ``code``:
    "Darija" for ``ary``, "cantonese" for ``yue``."""
    folded = sort_key(variant)
    return bool(folded) and any(word in folded for word in variant_names(code))


class ListedLanguage(NamedTuple):
    """A language on a list's row (read with the row, core.text_lists): its code and variant, named as a
    ``MediatorLanguage`` or ``RequestLanguage`` names itself, without a model instance for each (issue #17)."""

    code: str
    variant: str

    @property
    def name(self) -> str:
        return language_name(self.code)

    def __str__(self) -> str:
        return f"{self.name} ({self.variant})" if self.variant else self.name
