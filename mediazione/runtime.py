"""What a web process does once the portal is loaded, before its first request."""

from __future__ import annotations

import gc

from django.conf import settings


def tune_garbage_collector() -> None:
    """Freeze what the process made at start and collect less often (settings.GC_THRESHOLDS).

    Python's cyclic garbage collector runs after every 700 new objects, and every so often a full collection walks
    every object the process holds: Django's, the URLconf's, the compiled templates'. On a page of a few hundred
    thousand objects that is a pause of 60-80 ms now and then, which the benchmark saw as the slowest requests of a
    page (bench/pages.py, p95). ``gc.freeze()`` moves the objects of the start into a generation no collection looks
    at again; a higher threshold lets a request finish before the next young collection. Reference cycles are still
    collected, later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*settings.GC_THRESHOLDS)
