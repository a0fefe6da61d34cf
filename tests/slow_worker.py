"""The Celery app as a worker started by a test runs it (``celery -A tests.slow_worker worker``), with one change:
the first attempt of each report job pauses for TEST_REPORT_PAUSE_SECONDS at its first progress update, after
writing ``<job id>.<pid>`` in TEST_MARKER_DIR. The test then knows which process holds the job, and has the time
to kill it, or to cut its database connection, in the middle of the job. Later attempts do not pause."""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from mediazione.celery import app  # noqa: F401  (the app this module is started as)


def _patch(**_kwargs):
    from reporting import services

    if getattr(services.report_write, "paused", False):
        return
    original = services.report_write
    pause = float(os.environ.get("TEST_REPORT_PAUSE_SECONDS", "0"))
    markers = Path(os.environ["TEST_MARKER_DIR"])

    def report_write(*, scope, format, stream, progress):
        job_id = str(stream_job_id())
        first = not list(markers.glob(f"{job_id}.*"))
        state = {"paused": not first}

        def paused_progress(percent):
            if not state["paused"]:
                state["paused"] = True
                (markers / f"{job_id}.{os.getpid()}").write_text("started")
                time.sleep(pause)
            progress(percent)

        original(scope=scope, format=format, stream=stream, progress=paused_progress)

    def stream_job_id():
        from reporting.models import ReportJob

        return ReportJob.objects.filter(status="running").order_by("-started_at").values_list("pk", flat=True)[0]

    report_write.paused = True
    services.report_write = report_write


task_prerun.connect(_patch, weak=False)
