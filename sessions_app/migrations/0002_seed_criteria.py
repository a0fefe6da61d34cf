"""Every province starts with the shared evaluation criteria (the provinces that exist when this runs; a province
added later gets them from sessions_app.services.criteria_seed_defaults)."""

from django.db import migrations

# The shared criteria every province starts with (the Bergamo seed's "shared criteria to evaluate the
# effectiveness"); a copy, so that this migration keeps working whatever the code later says.
DEFAULT_CRITERIA = [
    ("understanding", "Comprensione reciproca raggiunta", "Understanding reached"),
    ("relationship", "Relazione con la famiglia", "Relationship with the family"),
    ("neutrality", "Neutralità del mediatore", "The mediator's neutrality"),
    ("usefulness", "Utilità per il progetto sul caso", "Usefulness for the case plan"),
    ("punctuality", "Puntualità e affidabilità", "Punctuality and reliability"),
]


def seed_criteria(apps, schema_editor):
    Province = apps.get_model("accounts", "Province")
    Criterion = apps.get_model("sessions_app", "EvaluationCriterion")
    for province in Province.objects.all():
        for order, (key, label_it, label_en) in enumerate(DEFAULT_CRITERIA, start=1):
            Criterion.objects.get_or_create(
                province=province, key=key, defaults={"label_it": label_it, "label_en": label_en, "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("sessions_app", "0001_initial")]

    operations = [migrations.RunPython(seed_criteria, migrations.RunPython.noop)]
