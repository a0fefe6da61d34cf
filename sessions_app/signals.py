"""An evaluation or a score saved one by one, or an evaluation deleted (the admin site, a test's factory, a deletion
that cascades from a request) reaches the mediators' ratings as the services' changes do
(sessions_app.models.MediatorRating). A score is deleted only with its evaluation or by the service that writes the
scores again (which then refreshes the rating itself), so its deletion sends nothing and stays a fast delete. Bulk
loads go around signals: they call services.ratings_rebuild."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Evaluation, EvaluationScore
from .services.ratings import ratings_refresh


@receiver(post_save, sender=EvaluationScore, dispatch_uid="sessions_app.rating_score_saved")
def _score_changed(sender, instance: EvaluationScore, raw=False, **kwargs):
    if raw:  # loading a fixture
        return
    mediator_id = Evaluation.objects.filter(pk=instance.evaluation_id).values_list("mediator_id", flat=True).first()
    ratings_refresh(mediator_ids=[mediator_id])


@receiver(pre_save, sender=Evaluation, dispatch_uid="sessions_app.rating_evaluation_saving")
def _evaluation_saving(sender, instance: Evaluation, raw=False, **kwargs):
    # An evaluation moved to another mediator (never by the services; the admin site could): both ratings change.
    instance._rated_before = (
        Evaluation.objects.filter(pk=instance.pk).values_list("mediator_id", flat=True).first()
        if instance.pk and not raw
        else None
    )


@receiver(post_save, sender=Evaluation, dispatch_uid="sessions_app.rating_evaluation_saved")
@receiver(post_delete, sender=Evaluation, dispatch_uid="sessions_app.rating_evaluation_deleted")
def _evaluation_changed(sender, instance: Evaluation, raw=False, **kwargs):
    if raw:
        return
    ratings_refresh(mediator_ids=[instance.mediator_id, getattr(instance, "_rated_before", None)])
