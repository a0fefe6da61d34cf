"""The guide's categories (HSDS taxonomy_term) and languages: data, so the province can change them later. A copy
of guide.services.reference, so that this migration keeps working whatever the code later says."""

from django.db import migrations

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


def seed(apps, schema_editor):
    TaxonomyTerm = apps.get_model("guide", "TaxonomyTerm")
    GuideLanguage = apps.get_model("guide", "GuideLanguage")
    for position, (code, name, description) in enumerate(CATEGORIES):
        TaxonomyTerm.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    for position, (code, tag, native, direction) in enumerate(LANGUAGES):
        GuideLanguage.objects.update_or_create(
            code=code, defaults={"tag": tag, "native_name": native, "direction": direction, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("guide", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
