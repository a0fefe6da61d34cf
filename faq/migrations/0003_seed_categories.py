from django.db import migrations

# The same list as faq.services.reference.CATEGORIES (a migration keeps its own copy: the code may change later).
CATEGORIES = [
    ("richieste-incarichi", "Richieste e incarichi", 10),
    ("tutela-minori-tribunale", "Tutela minori e tribunale", 20),
    ("documenti-permessi", "Documenti e permessi", 30),
    ("scuola", "Scuola", 40),
    ("sanita", "Sanità", 50),
    ("mediatori-compensi", "Mediatori e compensi", 60),
]


def seed(apps, schema_editor):
    Category = apps.get_model("faq", "Category")
    for code, name, position in CATEGORIES:
        Category.objects.update_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("faq", "0002_search_vector_on_postgresql")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
