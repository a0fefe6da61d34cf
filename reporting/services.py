"""Every write of reporting: charging a request to a project, report jobs from their creation to their expiry, the
dashboard's monthly aggregates (kept by reporting.aggregates: refreshed, rebuilt, checked).

Keyword-only functions, one transaction each, refusing with :class:`DomainError` in words a person understands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import io
import logging
import os
import posixpath
import tempfile
import threading
from typing import IO

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import District, Membership, Province, Role
from accounts.scoping import Actor, visible
from core import files, outbox
from core.errors import DomainError, NotAllowed
from core.figures import facts_changed
from core.formatting import format_date
from core.replica import reading_from_primary, reading_from_replica
from requests_app.models import MediationRequest, Status

from . import aggregates, exports
from .indicators import Scope
from .models import Project, ProjectCharge, ReportJob

logger = logging.getLogger(__name__)

# Errors worth another try: the storage (a folder or a bucket) or the database was briefly unavailable.
TRANSIENT = (*files.storage_errors(), DatabaseError)
MAX_PERIOD = dt.timedelta(days=5 * 366)
# The periods a report may cover (the project's data starts well after the first, the second is far enough).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
REPORT_ROLES = (Role.PROVINCE_STAFF, Role.COORDINATOR, Role.FUNDER_VIEWER)
# Requests that may still change project: before the work is done.
CHARGEABLE = (Status.SUBMITTED, Status.MATCHING, Status.ASSIGNED, Status.SCHEDULED, Status.COMPLETED)


# --- Charging a request to a project --------------------------------------------------------------------------------


def project_charge_set(*, actor: Actor, request: MediationRequest, project: Project | None) -> ProjectCharge | None:
    """Charge ``request`` to ``project`` (or to none) at triage: the district's coordinators and the province staff."""
    district = request.office.district
    may = actor.is_admin or (
        actor.has_role(Role.COORDINATOR)
        and district.pk in actor.district_ids
        or actor.has_role(Role.PROVINCE_STAFF)
        and district.province_id in actor.province_ids
    )
    if not may:
        raise NotAllowed(_("Only the district's coordinators and the province staff charge a request to a project."))
    if request.status not in CHARGEABLE:
        raise DomainError(
            _("This request can no longer change project: it is “%(status)s”.")
            % {"status": request.get_status_display().lower()}
        )
    with transaction.atomic():
        # Every figure of the request moves to the other project's rows: every month it has facts in.
        facts_changed(request_id=request.pk, at=aggregates.request_moments(request_id=request.pk))
        if project is None:
            ProjectCharge.objects.filter(request=request).delete()
            return None
        if not project.active or project.lead_province_id != district.province_id:
            raise DomainError(_("Choose an active project of this request's province."), field="project")
        if not project.partners.filter(Q(district=district) | Q(district__isnull=True)).exists():
            raise DomainError(_("The district of this request is not a partner of this project."), field="project")
        charge, _created = ProjectCharge.objects.update_or_create(
            request=request, defaults={"project": project, "charged_by": actor.user, "charged_at": timezone.now()}
        )
        return charge


# --- The dashboard's monthly aggregates -------------------------------------------------------------------------------


def aggregates_refresh(*, request_id: int, at: list[dt.datetime] = ()) -> int:
    """Recompute the months a change of the request touched (its submission's, those of ``at``) in its district,
    from the source. Idempotent. Returns how many rows were written."""
    return aggregates.refresh_request(request_id=request_id, at=list(at))


def aggregates_rebuild(*, province: Province | None = None) -> dict:
    """Recompute every monthly aggregate (of one province, or all) from the source and replace them: the nightly
    task, ``manage.py reporting_aggregates --rebuild``, and whatever filled the tables behind the services' backs
    (the demo, the benchmark's generator) call it. Returns how many rows and years were written."""
    return aggregates.rebuild(province=province)


def aggregates_check(*, province: Province | None = None) -> list[str]:
    """Every monthly aggregate compared with a full recomputation from the source: one line per difference."""
    return aggregates.check(province=province)


# --- Report jobs ----------------------------------------------------------------------------------------------------


def _check_scope(actor: Actor, *, province: Province, district: District | None, project: Project | None) -> None:
    if actor.is_admin:
        return
    if not actor.has_role(*REPORT_ROLES):
        raise NotAllowed(_("Reports are prepared by the province staff, the coordinators and the funder."))
    if province.pk not in actor.province_ids:
        raise NotAllowed(_("You can only prepare reports of your own province."))
    if actor.has_role(Role.COORDINATOR) and (district is None or district.pk not in actor.district_ids):
        raise NotAllowed(_("A coordinator prepares the reports of their own district."))
    if actor.has_role(Role.FUNDER_VIEWER) and (project is None or project.funder_id != actor.funder_id):
        raise NotAllowed(_("Choose one of the projects your organisation funds."))
    if project is not None and not visible(actor.user, Project).filter(pk=project.pk).exists():
        raise NotAllowed(_("Choose one of your projects."))


def report_job_create(
    *,
    actor: Actor | None,
    province: Province,
    date_from: dt.date,
    date_to: dt.date,
    format: str,
    audience: str = ReportJob.Audience.PROVINCE,
    district: District | None = None,
    project: Project | None = None,
) -> ReportJob:
    """A report asked for; it is prepared in the background once this transaction commits. ``actor`` None is the
    portal itself (the quarterly reports)."""
    if actor is not None:
        _check_scope(actor, province=province, district=district, project=project)
        if actor.has_role(Role.FUNDER_VIEWER):
            # The funder reads aggregates with small counts hidden, whatever the form said.
            audience = ReportJob.Audience.FUNDER
    if format not in ReportJob.Format.values:
        raise DomainError(_("Choose PDF, CSV or XLSX."), field="format")
    if audience not in ReportJob.Audience.values:
        raise DomainError(_("Choose who the report is for."), field="audience")
    if date_to < date_from:
        raise DomainError(_("The period ends before it starts."), field="date_to")
    if date_to - date_from > MAX_PERIOD:
        raise DomainError(_("Choose a period of at most five years."), field="date_from")
    if date_from < EARLIEST or date_to > LATEST:
        # A date of year 1 or 9999 (a hand-made call) would only make a job that fails in the worker.
        raise DomainError(
            _("Choose a period between 2000 and 2100."), field="date_from" if date_from < EARLIEST else "date_to"
        )
    if district is not None and district.province_id != province.pk:
        raise DomainError(_("This district is not in the province."), field="district")
    if project is not None and project.lead_province_id != province.pk:
        raise DomainError(_("This project is not led by the province."), field="project")
    now = timezone.now()
    with transaction.atomic():
        # The job row is its own outbox entry: once committed it is sent to the broker; if the broker does not
        # answer, the job waits ("waiting for the background service") and the sweeper sends it later.
        job = ReportJob.objects.create(
            requested_by=actor.user if actor is not None else None,
            province=province,
            district=district,
            project=project,
            date_from=date_from,
            date_to=date_to,
            format=format,
            audience=audience,
            expires_at=now + dt.timedelta(days=settings.REPORTS_KEEP_DAYS),
            next_attempt_at=now + dt.timedelta(seconds=settings.OUTBOX_GRACE_SECONDS),
        )
        transaction.on_commit(lambda: report_job_dispatch(job_id=job.pk))
    return job


def report_job_repeat(*, actor: Actor, job: ReportJob) -> ReportJob:
    """“Prepare it again”: a new job with the same scope, period, format and version as a failed (or finished) one."""
    if not job.is_finished:
        raise DomainError(_("This report is still being prepared."))
    return report_job_create(
        actor=actor,
        province=job.province,
        district=job.district,
        project=job.project,
        date_from=job.date_from,
        date_to=job.date_to,
        format=job.format,
        audience=job.audience,
    )


# Named, not imported: reporting.tasks imports this module.
RUN_TASK = "reporting.tasks.report_job_run_task"


def report_job_dispatch(*, job_id, countdown: float = 0) -> bool:
    """Hand the job to the broker. Never raises because the broker is down: the failure is logged and the job stays
    queued and unsent, for the sweeper. Returns whether the broker took it."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (demo, tests): the job runs here and now.
        ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(enqueued_at=timezone.now())
        outbox.task_named(RUN_TASK).apply(args=[str(job_id)])
        return True
    try:
        current_app.send_task(RUN_TASK, args=[str(job_id)], countdown=countdown or None)
    except Exception as exc:  # noqa: BLE001  (any failure of the broker leaves the job for the sweeper)
        logger.warning(
            "Report job %s could not be sent to the broker (%s: %s); the sweeper will",
            job_id,
            exc.__class__.__name__,
            exc,
        )
        return False
    try:
        ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(enqueued_at=timezone.now())
    except DatabaseError:
        logger.warning("Report job %s was sent but could not be marked so; it may be sent twice", job_id)
    return True


def job_scope(job: ReportJob) -> Scope:
    return Scope(
        province=job.province,
        date_from=job.date_from,
        date_to=job.date_to,
        district=job.district,
        project=job.project,
        suppress=job.suppress_small_counts,
    )


def report_write(*, scope: Scope, format: str, stream: IO, progress=exports._nothing) -> None:
    """Write the report of ``scope`` in ``format`` to ``stream`` (bytes; text for CSV). The job and the command
    ``accountability_report`` both come here."""
    exports.WRITERS[format](scope, stream, progress)


class Superseded(Exception):
    """This attempt lost its job: it was declared stale and another attempt claimed it (or it was failed)."""


class TryAgain(Exception):
    """A transient error: the job is back in the queue; send it again after ``countdown`` seconds."""

    def __init__(self, countdown: float):
        super().__init__(countdown)
        self.countdown = countdown


class Busy(Exception):
    """Another attempt holds the job and is alive: look again once it would be stale."""

    def __init__(self, countdown: float):
        super().__init__(countdown)
        self.countdown = countdown


def _stale_interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt ``attempts + 1``: REPORT_JOB_RETRY_SECONDS doubled at each attempt."""
    return dt.timedelta(seconds=settings.REPORT_JOB_RETRY_SECONDS * 2 ** max(0, attempts - 1))


def _mine(job_id, attempt: int):
    return ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING, attempts=attempt)


def _progress(job_id, attempt: int):
    def update(percent: int) -> None:
        # A progress update is also a heartbeat; none to write means another attempt took the job over. It is the
        # job's bookkeeping, not data the report reads: written on the primary without ending the replica's scope.
        with reading_from_primary():
            if not _mine(job_id, attempt).update(progress=percent, heartbeat_at=timezone.now()):
                raise Superseded

    return update


class _Heartbeat:
    """A thread writing the job's heartbeat every REPORT_JOB_HEARTBEAT_SECONDS while an attempt runs (a long
    PDF rendering writes no progress). It dies with the process: a killed worker goes silent, and its job stale."""

    def __init__(self, job_id, attempt: int):
        self.job_id, self.attempt = job_id, attempt
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self.stop.wait(settings.REPORT_JOB_HEARTBEAT_SECONDS):
                try:
                    if not _mine(self.job_id, self.attempt).update(heartbeat_at=timezone.now()):
                        return
                except DatabaseError:
                    logger.warning("Report job %s: heartbeat not written; trying again", self.job_id)
                    connection.close()
        finally:
            connection.close()

    def __enter__(self):
        # Without a broker (eager) the job runs in the web request: no thread, the progress updates suffice.
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)


def _claim(job_id, now: dt.datetime) -> int | None:
    """Take the job for a new attempt: a queued job, or a running one whose worker went silent. Returns the
    attempt's number, or None."""
    silent_since = now - _stale_interval()
    stale = Q(status=ReportJob.Status.RUNNING) & (
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, started_at__lt=silent_since)
    )
    claimable = Q(status=ReportJob.Status.QUEUED) | stale
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update()
            .filter(claimable, pk=job_id, expires_at__gt=now)
            .only("pk", "attempts", "status")
            .first()
        )
        if job is None:
            return None
        if job.attempts >= settings.REPORT_JOB_MAX_ATTEMPTS:
            # Its last attempt died (the worker was killed each time): a readable failure, not another try.
            _fail_exhausted(job.pk, job.attempts)
            return None
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progress=5,
            attempts=job.attempts + 1,
            error="",
            next_attempt_at=None,
        )
        return job.attempts + 1


def _fail_exhausted(job_id, attempts: int) -> None:
    ReportJob.objects.filter(pk=job_id).exclude(status=ReportJob.Status.DONE).update(
        status=ReportJob.Status.FAILED,
        file="",
        finished_at=timezone.now(),
        error=_(
            "The report could not be prepared: the background service stopped %(attempts)s times while working on "
            "it. Ask for it again; if it fails again, tell the administrator (reference %(ref)s)."
        )
        % {"attempts": attempts, "ref": str(job_id)[:8]},
    )


def _part_pattern(directory: str, job_id) -> str:
    return os.path.join(directory, f".{job_id}.*.part")


def _stored_name(job: ReportJob, attempt: int) -> str:
    """The name of an attempt's file: one per job and attempt, in the folder of the month the job was asked in. Two
    jobs of the same period never share a file (a bucket would overwrite it), an attempt that was taken over deletes
    only its own, and a new attempt finds the files of the attempts before it."""
    stem, extension = job.filename.rsplit(".", 1)
    folder = timezone.localtime(job.created_at).strftime(str(job.file.field.upload_to))
    return job.file.storage.generate_filename(posixpath.join(folder, f"{stem}-{job.pk}-{attempt}.{extension}"))


def _store_atomically(job: ReportJob, attempt: int, source: IO) -> str:
    """Save the file whole (a temporary name renamed on disk; a bucket shows an object once uploaded): a killed
    attempt leaves no half file under the report's name. Returns the stored name."""
    return files.save_whole(job.file.storage, _stored_name(job, attempt), source, temporary=f".{job.pk}.{attempt}.part")


def _remove_leftovers(job: ReportJob, attempt: int) -> None:
    """What the attempts before this one may have left: their temporary files (in a folder), and their whole files
    when they were killed after saving but before the job was marked done."""
    storage = job.file.storage
    for earlier in range(1, attempt):
        with contextlib.suppress(*files.storage_errors()):
            storage.delete(_stored_name(job, earlier))
    try:
        directory = os.path.dirname(storage.path(_stored_name(job, attempt)))
    except NotImplementedError:
        return
    for leftover in glob.glob(_part_pattern(directory, job.pk)):
        with contextlib.suppress(OSError):
            os.remove(leftover)


def report_job_run(*, job_id) -> bool:
    """Prepare the file of a queued job (or of one whose worker went silent). Returns False when there was nothing
    to do: the job is done, failed or expired. Raises :class:`Busy` when a live attempt holds it, and
    :class:`TryAgain` after a transient error (the job is back in the queue) unless this was the last attempt; any
    other error marks the job failed with a message a person understands."""
    now = timezone.now()
    attempt = _claim(job_id, now)
    if attempt is None:
        job = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING, expires_at__gt=now).first()
        if job is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
            last = job.heartbeat_at or job.started_at or now
            raise Busy(max(1.0, (last + _stale_interval() - now).total_seconds() + 1))
        # The job is finished or expired.
        return False
    job = ReportJob.objects.select_related("province", "district", "project").get(pk=job_id)
    _remove_leftovers(job, attempt)
    stored = None
    try:
        with _Heartbeat(job.pk, attempt), tempfile.TemporaryFile() as tmp:
            progress = _progress(job.pk, attempt)
            # The report's figures may be read from the replica (if one is configured): a period that has ended.
            with reading_from_replica():
                if job.format == ReportJob.Format.CSV:
                    # Excel opens a UTF-8 CSV right only with the byte-order mark.
                    text = io.TextIOWrapper(tmp, encoding="utf-8-sig", newline="", write_through=True)
                    report_write(scope=job_scope(job), format=job.format, stream=text, progress=progress)
                    text.detach()
                else:
                    report_write(scope=job_scope(job), format=job.format, stream=tmp, progress=progress)
            tmp.seek(0)
            stored = _store_atomically(job, attempt, tmp)
            done = _mine(job.pk, attempt).update(
                status=ReportJob.Status.DONE,
                progress=100,
                file=stored,
                finished_at=timezone.now(),
                heartbeat_at=timezone.now(),
            )
            if not done:
                raise Superseded
    except Superseded:
        logger.warning("Report job %s: attempt %s was taken over by another; it stops", job.pk, attempt)
        if stored:
            with contextlib.suppress(*files.storage_errors()):
                job.file.storage.delete(stored)
        return False
    except DomainError as exc:
        _fail(job, attempt, exc.message, stored)
        return False
    except TRANSIENT as exc:
        if stored:
            with contextlib.suppress(*files.storage_errors()):
                job.file.storage.delete(stored)
        if attempt >= settings.REPORT_JOB_MAX_ATTEMPTS:
            logger.exception("Report job %s failed for good", job.pk)
            _fail(
                job,
                attempt,
                _(
                    "The report could not be saved: the server's storage or database did not answer. "
                    "Ask for it again in a few minutes."
                ),
            )
            return False
        logger.warning("Report job %s, attempt %s: %s; it will be tried again", job.pk, attempt, exc)
        wait = backoff(attempt)
        _release(job.pk, attempt, wait)
        raise TryAgain(wait.total_seconds()) from exc
    except Exception:
        logger.exception("Report job %s failed", job.pk)
        _fail(
            job,
            attempt,
            _(
                "The report could not be prepared because of an error in the portal. Ask for it again; if it fails "
                "again, tell the administrator (reference %(ref)s)."
            )
            % {"ref": str(job.pk)[:8]},
            stored,
        )
        return False
    if job.requested_by_id is None:
        _tell_province_staff(job)
    return True


def _release(job_id, attempt: int, wait: dt.timedelta) -> None:
    """Put the job back in the queue for its next attempt. The database may be what failed: the connection is
    opened again once; if that fails too, the job stays "running", goes silent and is reclaimed when stale."""
    from django.db import connection

    for _try in range(2):
        try:
            _mine(job_id, attempt).update(
                status=ReportJob.Status.QUEUED,
                progress=0,
                enqueued_at=None,
                next_attempt_at=timezone.now() + wait,
            )
            return
        except DatabaseError:
            connection.close()
    logger.warning("Report job %s could not be put back in the queue; it will be reclaimed once stale", job_id)


def _fail(job: ReportJob, attempt: int, message: str, stored: str | None = None) -> None:
    if stored:
        with contextlib.suppress(*files.storage_errors()):
            job.file.storage.delete(stored)
    _mine(job.pk, attempt).update(
        status=ReportJob.Status.FAILED, error=str(message), file="", finished_at=timezone.now()
    )


def report_jobs_sweep(*, now: dt.datetime | None = None, limit: int = 200) -> dict:
    """The periodic safety net (every SWEEP_SECONDS): a running job whose worker went silent goes back to the queue
    with backoff, or fails with a readable message after REPORT_JOB_MAX_ATTEMPTS; a queued job the broker never
    took (it was down) or lost is sent (again). Returns what it did."""
    now = now or timezone.now()
    silent_since = now - _stale_interval()
    result = {"requeued": 0, "failed": 0, "sent": 0}
    stale = ReportJob.objects.filter(status=ReportJob.Status.RUNNING, expires_at__gt=now).filter(
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, started_at__lt=silent_since)
    )
    for job in stale.only("pk", "attempts", "heartbeat_at")[:limit]:
        unchanged = ReportJob.objects.filter(
            pk=job.pk, status=ReportJob.Status.RUNNING, attempts=job.attempts, heartbeat_at=job.heartbeat_at
        )
        if job.attempts >= settings.REPORT_JOB_MAX_ATTEMPTS:
            if unchanged.exists():
                _fail_exhausted(job.pk, job.attempts)
                result["failed"] += 1
            continue
        wait = backoff(job.attempts)
        if unchanged.update(status=ReportJob.Status.QUEUED, progress=0, enqueued_at=None, next_attempt_at=now + wait):
            logger.warning("Report job %s lost its worker during attempt %s; queued again", job.pk, job.attempts)
            result["requeued"] += 1
    # A message may be lost without trace (Redis restarted without its data): sent again after the visibility
    # timeout, a duplicate finds the job claimed or done and does nothing.
    resend_before = now - dt.timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    unsent = ReportJob.objects.filter(status=ReportJob.Status.QUEUED, expires_at__gt=now).filter(
        Q(enqueued_at__isnull=True, next_attempt_at__lte=now)
        | Q(enqueued_at__isnull=True, next_attempt_at__isnull=True)
        | Q(enqueued_at__lt=resend_before)
    )
    for job_id in unsent.order_by("created_at").values_list("pk", flat=True)[:limit]:
        if not report_job_dispatch(job_id=job_id):
            break  # the broker is down: the others wait for the next sweep
        result["sent"] += 1
    return result


def report_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the jobs past their expiry, files first. Returns how many went."""
    now = now or timezone.now()
    count = 0
    for job in ReportJob.objects.filter(expires_at__lte=now).only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        count += ReportJob.objects.filter(pk=job.pk).delete()[0]
    return count


# --- Quarterly reports ----------------------------------------------------------------------------------------------


def previous_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first_of_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_quarter - dt.timedelta(days=1)
    start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def quarterly_reports_create(*, today: dt.date | None = None) -> list[ReportJob]:
    """The PDF of the quarter just ended for each active project; the province staff are told when it is ready.
    Running it twice for the same quarter makes nothing new."""
    start, end = previous_quarter(today or timezone.localdate())
    jobs = []
    projects = Project.objects.filter(active=True, starts_on__lte=end, ends_on__gte=start).select_related(
        "lead_province"
    )
    for project in projects:
        exists = ReportJob.objects.filter(
            project=project, requested_by__isnull=True, date_from=start, date_to=end, format=ReportJob.Format.PDF
        ).exists()
        if exists:
            continue
        jobs.append(
            report_job_create(
                actor=None,
                province=project.lead_province,
                project=project,
                date_from=max(start, project.starts_on),
                date_to=min(end, project.ends_on),
                format=ReportJob.Format.PDF,
            )
        )
    return jobs


def _tell_province_staff(job: ReportJob) -> None:
    staff = Membership.objects.filter(
        role=Role.PROVINCE_STAFF, province=job.province, is_active=True, user__is_active=True
    ).select_related("user")
    link = f"{settings.PORTAL_BASE_URL}{job.get_absolute_url()}"
    for membership in staff:
        user = membership.user
        with translation.override(user.language):
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Quarterly report ready: %(project)s") % {
                "project": job.project
            }
            body = _(
                "The report of %(project)s for %(start)s – %(end)s is ready. Read it, then send it to the funder:\n"
                "%(link)s\nIt is kept until %(expiry)s."
            ) % {
                "project": job.project,
                "start": format_date(job.date_from),
                "end": format_date(job.date_to),
                "link": link,
                "expiry": format_date(job.expires_at),
            }
        send_mail(subject, body, None, [user.email])


# --- Project expenses -----------------------------------------------------------------------------------------------


def project_expense_add(
    *,
    actor: Actor,
    project: Project,
    partner_id,
    action: str,
    spent_on: dt.date | None,
    amount,
    description: str,
):
    """Record what an action other than the sessions cost (the seminar's room, printing the mini-guide): the
    staff of the project's lead province."""
    from decimal import Decimal, InvalidOperation

    from .models import Action, ProjectExpense

    if not (actor.is_admin or (actor.has_role(Role.PROVINCE_STAFF) and project.lead_province_id in actor.province_ids)):
        raise NotAllowed(_("Only the staff of the project's lead province record its expenses."))
    partner = project.partners.filter(pk=partner_id).first() if str(partner_id or "").isdigit() else None
    if partner is None:
        raise DomainError(_("Choose one of the project's partners."), field="partner")
    if action not in Action.values:
        raise DomainError(_("Choose one of the project's actions."), field="action")
    if spent_on is None:
        raise DomainError(_("Give the date of the expense."), field="spent_on")
    if not project.starts_on <= spent_on <= project.ends_on:
        raise DomainError(_("The date must fall within the project's period."), field="spent_on")
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Write the amount in euro, e.g. 1250,00."), field="amount") from None
    if not value.is_finite() or value <= 0 or value >= Decimal("10000000000"):
        raise DomainError(_("Write an amount above zero, in euro."), field="amount")
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Say what the expense was."), field="description")
    with transaction.atomic():
        return ProjectExpense.objects.create(
            project=project,
            partner=partner,
            action=action,
            spent_on=spent_on,
            amount=value.quantize(Decimal("0.01")),
            description=description[:250],
        )
