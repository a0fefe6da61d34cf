"""The FAQ's categories: reference data, seeded by migration 0003 and by the demo (idempotent)."""

from __future__ import annotations

from django.db import transaction

from ..models import Category

# (code, Italian name, position): the names are data, written in Italian like the guide's categories.
CATEGORIES = [
    ("richieste-incarichi", "Richieste e incarichi", 10),
    ("tutela-minori-tribunale", "Tutela minori e tribunale", 20),
    ("documenti-permessi", "Documenti e permessi", 30),
    ("scuola", "Scuola", 40),
    ("sanita", "Sanità", 50),
    ("mediatori-compensi", "Mediatori e compensi", 60),
]


@transaction.atomic
def categories_seed() -> list[Category]:
    return [
        Category.objects.update_or_create(code=code, defaults={"name": name, "position": position})[0]
        for code, name, position in CATEGORIES
    ]
