"""What a web process does once the portal is loaded, before its first request."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def tune_garbage_collector() -> None:
    """Freeze what the process made at start and collect less often (settings.GC_THRESHOLDS).

    Python's cyclic garbage collector runs after every 700 new objects, and every so often a full collection walks
    every object the process holds: Django's, the URLconf's, the compiled templates'. On a page of a few hundred
    thousand objects that is a pause of 60-80 ms now and then, which the benchmark saw as the slowest requests of a
    page (bench/pages.py, p95). ``gc.freeze()`` moves the objects of the start into a generation no collection looks
    at again. The young generation's threshold (5,000 objects, not Python's 700) collects a few times less often in
    pauses of a few milliseconds; a much higher one (50,000) made each young collection itself a pause of 70-80 ms
    on one request. Reference cycles are still collected, later."""
    warm_up()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*settings.GC_THRESHOLDS)


def warm_up() -> None:
    """Load now what the first requests would load anyway, so that it is frozen with the rest: the URLconf's tables,
    every template of the portal's own (compiled once, kept by the cached loader) and the catalogue of each language.
    Left to the first requests, they stayed among the objects every full collection walks: after one request to each
    page of the region benchmark, a full collection took 50-60 ms; with them frozen, 7-12 ms. A template that does not
    compile is logged and left to fail where it is used."""
    get_resolver().reverse_dict  # noqa: B018 - reading it builds the URLconf's tables
    for backend in engines.all():
        engine = getattr(backend, "engine", None)  # Django's template language (not Jinja2)
        for directory in getattr(engine, "dirs", []):
            root = Path(directory)
            for path in sorted(root.rglob("*")):
                if path.suffix not in (".html", ".txt") or not path.is_file():
                    continue
                try:
                    backend.get_template(path.relative_to(root).as_posix())
                except Exception:  # noqa: BLE001 - a broken template must not stop the process
                    logger.warning("Template %s does not compile", path, exc_info=True)
    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)
