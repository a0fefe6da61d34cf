"""Editions of the printable booklet: asked for by the province staff (or a coordinator, for her district), built in
the background, kept for good.

The request writes the edition and its task in one transaction through the outbox (core.outbox): once committed the
task is handed to the broker, and if the broker does not answer the sweeper sends it later. The task only calls
:func:`edition_build`, which claims the edition with a conditional update (a duplicate delivery does nothing), renders
the booklet (guide.booklet), stores the PDF whole (core.files.save_whole) and marks it done. A storage or database
that did not answer is tried again, up to REPORT_JOB_MAX_ATTEMPTS attempts, as for reports; anything else fails the
edition with a message a person understands. An edition whose worker died while building (it stays "running") is
taken back by :func:`editions_sweep` after REPORT_JOB_STALE_SECONDS.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import District, Province, Role
from accounts.scoping import Actor
from core import files, outbox
from core.errors import DomainError, NotAllowed

from .. import booklet
from ..models import GuideEdition, GuideLanguage, ServiceAtLocation

logger = logging.getLogger(__name__)

# Named, not imported: guide.tasks imports this module.
BUILD_TASK = "guide.tasks.edition_build_task"
# Errors worth another try: the storage (a folder or a bucket) or the database was briefly unavailable.
TRANSIENT = (*files.storage_errors(), DatabaseError)


def _check_scope(actor: Actor, *, province: Province, district: District | None) -> None:
    if actor.is_admin:
        return
    if actor.has_role(Role.COORDINATOR):
        if district is None or district.pk not in actor.district_ids:
            raise NotAllowed(_("A coordinator prepares the booklet of her own district."))
        return
    if actor.has_role(Role.PROVINCE_STAFF) and province.pk in actor.province_ids:
        return
    raise NotAllowed(_("Booklets are prepared by the province staff and the districts' coordinators."))


def edition_request(*, actor: Actor, province: Province, district: District | None, language: str) -> GuideEdition:
    """Ask for a booklet of ``province`` (for ``district``, or the whole province) in ``language`` (``ita`` or a
    language of the guide); it is built in the background once this transaction commits."""
    _check_scope(actor, province=province, district=district)
    if district is not None and district.province_id != province.pk:
        raise DomainError(_("This district is not in the province."), field="district")
    if language != GuideEdition.ITALIAN and not GuideLanguage.objects.filter(code=language, is_active=True).exists():
        raise DomainError(_("Choose Italian or one of the guide's languages."), field="language")
    published = ServiceAtLocation.objects.filter(province=province, is_public=True)
    if district is not None:
        published = published.filter(Q(published_district=district) | Q(published_district__isnull=True))
    if not published.exists():
        raise DomainError(_("Nothing of this guide is published yet: publish its entries first."), field="district")
    with transaction.atomic():
        edition = GuideEdition.objects.create(
            province=province, district=district, language=language, built_by=actor.user
        )
        outbox.send_on_commit(BUILD_TASK, str(edition.pk))
    return edition


def _mine(edition_id, attempt: int):
    return GuideEdition.objects.filter(pk=edition_id, status=GuideEdition.Status.RUNNING, attempts=attempt)


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)


def _claim(edition_id, now: dt.datetime) -> int | None:
    """Take the edition for a new attempt: a queued one, or a running one whose worker went silent. Returns the
    attempt's number, or None (done, failed, taken by a live attempt, or out of attempts: then failed)."""
    claimable = Q(status=GuideEdition.Status.QUEUED) | Q(
        status=GuideEdition.Status.RUNNING, started_at__lt=_stale_before(now)
    )
    with transaction.atomic():
        edition = (
            GuideEdition.objects.select_for_update().filter(claimable, pk=edition_id).only("pk", "attempts").first()
        )
        if edition is None:
            return None
        if edition.attempts >= settings.REPORT_JOB_MAX_ATTEMPTS:
            _fail_exhausted(edition.pk, edition.attempts)
            return None
        GuideEdition.objects.filter(pk=edition.pk).update(
            status=GuideEdition.Status.RUNNING, started_at=now, attempts=edition.attempts + 1, error=""
        )
        return edition.attempts + 1


def _fail_exhausted(edition_id, attempts: int) -> None:
    GuideEdition.objects.filter(pk=edition_id).exclude(status=GuideEdition.Status.DONE).update(
        status=GuideEdition.Status.FAILED,
        file="",
        error=_(
            "The booklet could not be prepared: the background service stopped %(attempts)s times while working on "
            "it. Ask for it again; if it fails again, tell the administrator (reference %(ref)s)."
        )
        % {"attempts": attempts, "ref": str(edition_id)[:8]},
    )


def _fail(edition_id, attempt: int, message: str) -> None:
    _mine(edition_id, attempt).update(status=GuideEdition.Status.FAILED, error=str(message), file="")


def _stored_name(edition: GuideEdition, attempt: int) -> str:
    """One name per edition and attempt, in the folder of the year: two editions never share a file."""
    stem = edition.filename.removesuffix(".pdf")
    return edition.file.field.generate_filename(edition, f"{stem}-{str(edition.pk)[:8]}-{attempt}.pdf")


def edition_build(*, edition_id) -> bool:
    """Build the booklet of a queued edition (or of one whose worker went silent). Returns whether this attempt made
    it; False when there was nothing to do, or it failed (the edition then says why), or it will be tried again."""
    now = timezone.now()
    attempt = _claim(edition_id, now)
    if attempt is None:
        return False
    edition = GuideEdition.objects.select_related("province", "district").get(pk=edition_id)
    stored = None
    try:
        try:
            language = booklet.language_of(edition.language)
        except GuideLanguage.DoesNotExist:
            raise DomainError(_("The language of this booklet is no longer one of the guide's.")) from None
        context = booklet.booklet_context(
            province=edition.province,
            district=edition.district,
            language=language,
            built_on=timezone.localdate(now),
        )
        with tempfile.TemporaryFile() as tmp:
            booklet.write_booklet(context, tmp)
            size = tmp.tell()
            tmp.seek(0)
            stored = files.save_whole(
                edition.file.storage, _stored_name(edition, attempt), tmp, temporary=f".{edition.pk}.{attempt}.part"
            )
        done = _mine(edition.pk, attempt).update(
            status=GuideEdition.Status.DONE,
            file=stored,
            built_at=timezone.now(),
            entry_count=context["entry_count"],
            size=size,
        )
        if not done:
            # Another attempt took it over (this one was declared stale): its file is the edition's.
            logger.warning("Guide edition %s: attempt %s was taken over by another; it stops", edition.pk, attempt)
            _forget(edition, stored)
            return False
    except DomainError as exc:
        _forget(edition, stored)
        _fail(edition.pk, attempt, exc.message)
        return False
    except TRANSIENT as exc:
        _forget(edition, stored)
        if attempt >= settings.REPORT_JOB_MAX_ATTEMPTS:
            logger.exception("Guide edition %s failed for good", edition.pk)
            _fail(
                edition.pk,
                attempt,
                _(
                    "The booklet could not be saved: the server's storage or database did not answer. "
                    "Ask for it again in a few minutes."
                ),
            )
            return False
        logger.warning("Guide edition %s, attempt %s: %s; it will be tried again", edition.pk, attempt, exc)
        _requeue(edition.pk, attempt)
        return False
    except Exception:
        logger.exception("Guide edition %s failed", edition.pk)
        _forget(edition, stored)
        _fail(
            edition.pk,
            attempt,
            _(
                "The booklet could not be prepared because of an error in the portal. Ask for it again; if it fails "
                "again, tell the administrator (reference %(ref)s)."
            )
            % {"ref": str(edition.pk)[:8]},
        )
        return False
    return True


def _forget(edition: GuideEdition, stored: str | None) -> None:
    if stored:
        with contextlib.suppress(*files.storage_errors()):
            edition.file.storage.delete(stored)


def _requeue(edition_id, attempt: int) -> None:
    """Back in the queue, and its task written to the outbox in the same transaction (sent once committed)."""
    try:
        with transaction.atomic():
            if _mine(edition_id, attempt).update(status=GuideEdition.Status.QUEUED):
                outbox.send_on_commit(BUILD_TASK, str(edition_id))
    except DatabaseError:
        # The database is what failed: the edition stays "running", goes silent and the sweeper takes it back.
        logger.warning("Guide edition %s could not be put back in the queue; the sweeper will", edition_id)


def editions_sweep(*, now: dt.datetime | None = None, limit: int = 100) -> dict:
    """Every SWEEP_SECONDS: an edition left "running" by a worker that died goes back to the queue, or fails with a
    readable message after REPORT_JOB_MAX_ATTEMPTS attempts. (A queued edition's task is in the outbox, which has
    its own sweeper.) Returns what it did."""
    now = now or timezone.now()
    result = {"requeued": 0, "failed": 0}
    stale = GuideEdition.objects.filter(status=GuideEdition.Status.RUNNING, started_at__lt=_stale_before(now))
    for edition in stale.only("pk", "attempts")[:limit]:
        if edition.attempts >= settings.REPORT_JOB_MAX_ATTEMPTS:
            _fail_exhausted(edition.pk, edition.attempts)
            result["failed"] += 1
            continue
        with transaction.atomic():
            if (
                _mine(edition.pk, edition.attempts)
                .filter(started_at__lt=_stale_before(now))
                .update(status=GuideEdition.Status.QUEUED)
            ):
                outbox.send_on_commit(BUILD_TASK, str(edition.pk))
                result["requeued"] += 1
    return result
