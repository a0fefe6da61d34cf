"""The labels of the public guide and of its booklet as texts of each province's guide (GuideText, key ``label-…``,
the Italian in ``title``), so that the mediators translate them like the introduction. A copy of guide.labels.LABELS,
so that this migration keeps working whatever the code later says; existing rows (maybe reworded) stay as they are."""

from django.db import migrations

LABELS = {
    "label-address": "Indirizzo",
    "label-phone": "Telefono",
    "label-hours": "Orari di apertura",
    "label-fees": "Costi",
    "label-eligibility": "Chi può andare",
    "label-access": "Come accedere",
    "label-languages": "Lingue parlate",
    "label-search": "Cerca",
    "label-district": "Ambito",
    "label-all-districts": "Tutti gli ambiti",
    "label-category": "Categoria",
    "label-all-categories": "Tutte le categorie",
    "label-no-match": "Nessun servizio corrisponde.",
    "label-not-translated": "Non ancora tradotto: si mostra il testo italiano.",
    "label-being-updated": "La traduzione è in aggiornamento: si mostra il testo italiano.",
    "label-previous-page": "Pagina precedente",
    "label-next-page": "Pagina successiva",
    "label-booklets": "Opuscoli da stampare di questa guida",
    "label-guide": "Guida ai servizi per le famiglie",
    "label-online": "La guida, sempre aggiornata, online:",
    "label-whole-province": "Tutta la provincia",
    "label-edition": "Edizione",
    "label-services": "Servizi",
}


def seed(apps, schema_editor):
    Province = apps.get_model("accounts", "Province")
    GuideText = apps.get_model("guide", "GuideText")
    for province in Province.objects.all():
        existing = set(GuideText.objects.filter(province=province, key__in=LABELS).values_list("key", flat=True))
        GuideText.objects.bulk_create(
            GuideText(province=province, key=key, title=italian, text="")
            for key, italian in LABELS.items()
            if key not in existing
        )


def unseed(apps, schema_editor):
    apps.get_model("guide", "GuideText").objects.filter(key__in=LABELS).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("guide", "0004_map_and_page_views")]

    operations = [migrations.RunPython(seed, unseed)]
