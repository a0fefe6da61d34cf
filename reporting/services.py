"""Every write of reporting: charging a request to a project, report jobs from their creation to their expiry.

Keyword-only functions, one transaction each, refusing with :class:`DomainError` in words a person understands.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import District, Membership, Province, Role
from accounts.scoping import Actor, visible
from mediazione.errors import DomainError, NotAllowed
from mediazione.formatting import format_date
from requests_app.models import MediationRequest, Status

from . import exports
from .indicators import Scope
from .models import Project, ProjectCharge, ReportJob

logger = logging.getLogger(__name__)

# Errors worth another try: the disk or the database was briefly unavailable.
TRANSIENT = (OSError, DatabaseError)
# A job still "running" after this long lost its worker (a crash after the claim): it may be claimed again.
STALE_AFTER = dt.timedelta(minutes=45)
MAX_PERIOD = dt.timedelta(days=5 * 366)
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
    if district is not None and district.province_id != province.pk:
        raise DomainError(_("This district is not in the province."), field="district")
    if project is not None and project.lead_province_id != province.pk:
        raise DomainError(_("This project is not led by the province."), field="project")
    now = timezone.now()
    with transaction.atomic():
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
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id) -> None:
    from .tasks import report_job_run_task

    report_job_run_task.delay(str(job_id))


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


def _progress(job_id):
    def update(percent: int) -> None:
        ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(progress=percent)

    return update


def report_job_run(*, job_id, final_attempt: bool = True) -> bool:
    """Prepare the file of a queued job. Returns False when there was nothing to do: the job is done, failed,
    expired, or another worker holds it. Transient errors are raised again for the task to retry, unless this is
    the final attempt; any other error marks the job failed with a message a person understands."""
    now = timezone.now()
    claimable = Q(status=ReportJob.Status.QUEUED) | Q(status=ReportJob.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    claimed = ReportJob.objects.filter(claimable, pk=job_id, expires_at__gt=now).update(
        status=ReportJob.Status.RUNNING, started_at=now, progress=5, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        # Nothing was updated: the job is finished or expired, or another worker claimed it first.
        return False
    job = ReportJob.objects.select_related("province", "district", "project").get(pk=job_id)
    try:
        with tempfile.TemporaryFile() as tmp:
            if job.format == ReportJob.Format.CSV:
                # Excel opens a UTF-8 CSV right only with the byte-order mark.
                text = io.TextIOWrapper(tmp, encoding="utf-8-sig", newline="", write_through=True)
                report_write(scope=job_scope(job), format=job.format, stream=text, progress=_progress(job.pk))
                text.detach()
            else:
                report_write(scope=job_scope(job), format=job.format, stream=tmp, progress=_progress(job.pk))
            tmp.seek(0)
            job.file.save(job.filename, File(tmp), save=False)
    except DomainError as exc:
        _fail(job, exc.message)
        return False
    except TRANSIENT as exc:
        if final_attempt:
            logger.exception("Report job %s failed for good", job.pk)
            _fail(
                job,
                _(
                    "The report could not be saved: the server's storage or database did not answer. "
                    "Ask for it again in a few minutes."
                ),
            )
            return False
        # Put it back in the queue: the retry claims it again.
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED, progress=0)
        raise exc
    except Exception:
        logger.exception("Report job %s failed", job.pk)
        _fail(
            job,
            _(
                "The report could not be prepared because of an error in the portal. Ask for it again; if it fails "
                "again, tell the administrator (reference %(ref)s)."
            )
            % {"ref": str(job.pk)[:8]},
        )
        return False
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, progress=100, file=job.file.name, finished_at=timezone.now()
    )
    if job.requested_by_id is None:
        _tell_province_staff(job)
    return True


def _fail(job: ReportJob, message: str) -> None:
    if job.file:
        job.file.delete(save=False)
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.FAILED, error=str(message), file="", finished_at=timezone.now()
    )


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
