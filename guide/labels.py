"""The labels of the public guide and of its booklet ("Indirizzo", "Telefono"…) as texts of the guide.

Each label is a :class:`guide.models.GuideText` of the province with a well-known key (``label-…``) and its Italian in
``title``: the mediators translate it with the introduction and the categories (the task without an entry), and the
public pages show the approved translation made from that very Italian, else the Italian marked ``lang="it"`` — the
same rule as the content. The Italian below is the default: seeded by migration 0004 for every province (a copy
there), added for a new province when its introduction is first given to a mediator, and shown when a row is
missing. The portal's own chrome (header, footer, the portal's language switch) stays in the portal's Italian/English.
"""

from __future__ import annotations

PREFIX = "label-"

# key → Italian source (the order is the order on the side-by-side page).
LABELS: dict[str, str] = {
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


def is_label(key: str) -> bool:
    return key.startswith(PREFIX)


def attribute(key: str) -> str:
    """The name a template reads a label by: ``label-all-districts`` → ``labels.all_districts``."""
    return key.removeprefix(PREFIX).replace("-", "_")
