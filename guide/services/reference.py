"""The guide's reference data: its categories (HSDS taxonomy_term) and languages. The migration
0002_seed_languages_and_categories seeds a new installation with a copy of these lists; this service puts back the
ones missing (the demo calls it, and so may a new installation whose tables were emptied)."""

from __future__ import annotations

from django.db import transaction

from ..models import GuideLanguage, TaxonomyTerm

CATEGORIES = [
    ("salute", "Salute", "Medico di base, pediatra, vaccinazioni, ospedali, ASST."),
    ("scuola-infanzia", "Scuola e infanzia", "Nidi, scuole dell'infanzia, iscrizioni a scuola, doposcuola."),
    ("consultorio-familiare", "Consultorio familiare", "Gravidanza, contraccezione, sostegno a genitori e coppie."),
    ("legale-permesso", "Legale e permesso di soggiorno", "Sportelli stranieri, permessi, consulenza legale."),
    ("corsi-lingua", "Corsi di lingua", "Corsi di italiano per adulti (CPIA) e per bambini."),
    ("associazioni", "Associazioni e socializzazione", "Associazioni, centri per famiglie, spazi gioco."),
    ("emergenza", "Numeri di emergenza", "Numeri da chiamare subito: 112, guardia medica, antiviolenza."),
    ("lavoro", "Lavoro", "Centro per l'impiego, orientamento, tirocini."),
]

# (ISO 639-3, BCP 47 tag, name in the language, direction)
LANGUAGES = [
    ("ara", "ar", "العربية", "rtl"),
    ("eng", "en", "English", "ltr"),
    ("fra", "fr", "Français", "ltr"),
    ("zho", "zh", "中文", "ltr"),
    ("urd", "ur", "اردو", "rtl"),
    ("pan", "pa", "ਪੰਜਾਬੀ", "ltr"),
    ("sqi", "sq", "Shqip", "ltr"),
    ("ron", "ro", "Română", "ltr"),
    ("ukr", "uk", "Українська", "ltr"),
    ("spa", "es", "Español", "ltr"),
]


@transaction.atomic
def reference_data_seed() -> None:
    """The default categories and languages, added where missing; existing rows (maybe renamed) stay as they are."""
    for position, (code, name, description) in enumerate(CATEGORIES):
        TaxonomyTerm.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    for position, (code, tag, native, direction) in enumerate(LANGUAGES):
        GuideLanguage.objects.get_or_create(
            code=code, defaults={"tag": tag, "native_name": native, "direction": direction, "position": position}
        )
