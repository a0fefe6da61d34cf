"""Evaluations: the requesting office's and the mediator's scores on the province's shared criteria; the office's
moves the request to ``evaluated``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Province
from accounts.scoping import Actor
from core.errors import DomainError, NotAllowed
from core.figures import facts_changed
from notifications.models import Notification
from notifications.services import notify
from requests_app.models import MediationRequest, Status
from requests_app.selectors import district_coordinators
from requests_app.services import apply_transition

from .. import selectors as report_selectors
from ..models import Evaluation, EvaluationCriterion, EvaluationScore
from .ratings import ratings_refresh
from .reports import DEFAULT_CRITERIA


@transaction.atomic
def criteria_seed_defaults(*, province: Province) -> int:
    """Give a province the default criteria it does not have yet (idempotent). Returns how many were added."""
    added = 0
    for order, (key, label_it, label_en) in enumerate(DEFAULT_CRITERIA, start=1):
        _criterion, created = EvaluationCriterion.objects.get_or_create(
            province=province, key=key, defaults={"label_it": label_it, "label_en": label_en, "order": order}
        )
        added += created
    return added


def _parse_score(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@transaction.atomic
def evaluation_save(
    *,
    actor: Actor,
    request: MediationRequest,
    side: str,
    scores: dict[int, tuple[object, str]],
    comment: str = "",
) -> Evaluation:
    """Save one side's evaluation of a completed mediation: a 1–5 score (and an optional comment) for every active
    criterion of the province. The office's evaluation moves the request from ``completed`` to ``evaluated``.
    Saving again replaces the scores, until the request is closed."""
    request = (
        MediationRequest.objects.select_for_update(of=("self",))
        .select_related("office__district", "assigned_mediator")
        .get(pk=request.pk)
    )
    if side not in Evaluation.Side.values:
        raise DomainError(_("Choose whose evaluation this is."), field="side")
    if not report_selectors.may_evaluate(user=actor.user, request=request, side=side):
        raise NotAllowed(
            _("Only the requesting office evaluates the mediation for the office.")
            if side == Evaluation.Side.REQUESTER
            else _("Only the request's mediator writes the mediator's evaluation.")
        )
    if request.status not in (Status.COMPLETED, Status.EVALUATED):
        raise DomainError(_("A mediation is evaluated once it is completed, until the request is closed."))
    if request.assigned_mediator_id is None:
        raise DomainError(_("This request had no mediator: there is nothing to evaluate."))
    criteria = list(
        EvaluationCriterion.objects.filter(province_id=request.office.district.province_id, active=True).order_by(
            "order", "pk"
        )
    )
    if not criteria:
        raise DomainError(_("Your province has no evaluation criteria yet: ask the administrator to add them."))
    known = {c.pk for c in criteria}
    unknown = [pk for pk in scores if pk not in known]
    if unknown:
        raise DomainError(_("Some criteria of the form are no longer in use: open the form again."))
    rows = []
    for criterion in criteria:
        value, note = scores.get(criterion.pk, (None, ""))
        score = _parse_score(value)
        if score is None or not 1 <= score <= 5:
            raise DomainError(
                _("Give “%(criterion)s” a score from 1 to 5.") % {"criterion": criterion.label},
                field=f"score_{criterion.pk}",
            )
        note = (note or "").strip()
        if len(note) > 500:
            raise DomainError(
                _("The comment on “%(criterion)s” is too long: at most 500 characters.")
                % {"criterion": criterion.label},
                field=f"comment_{criterion.pk}",
            )
        rows.append((criterion, score, note))
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise DomainError(_("The comment is too long: at most 2,000 characters."), field="comment")
    evaluation = Evaluation.objects.filter(request=request, side=side).first()
    if evaluation is None:
        evaluation = Evaluation(request=request, side=side, mediator=request.assigned_mediator)
    evaluation.by, evaluation.comment = actor.user, comment
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        raise DomainError(_("This evaluation was saved by someone else a moment ago: open it again.")) from None
    evaluation.scores.all().delete()
    EvaluationScore.objects.bulk_create(
        EvaluationScore(evaluation=evaluation, criterion=criterion, score=score, comment=note)
        for criterion, score, note in rows
    )
    ratings_refresh(mediator_ids=[evaluation.mediator_id])
    facts_changed(request_id=request.pk, at=[evaluation.created_at])
    if side == Evaluation.Side.REQUESTER and request.status == Status.COMPLETED:
        apply_transition(actor=actor, request=request, name="evaluate")
        # The coordinators close it.
        coordinators = district_coordinators(request=request)
        notify(recipients=coordinators, request=request, kind=Notification.Kind.EVALUATED, actor=actor.user)
    return evaluation
