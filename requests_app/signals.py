"""A language saved one by one (the admin site, a test's factory, a script) reaches the lists' menus as the services'
do (requests_app.models.OfficeLanguage). Bulk loads go around signals: they call services.office_languages_rebuild."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import OfficeLanguage, RequestLanguage, Status
from .selectors import forget_request_languages


@receiver(post_save, sender=RequestLanguage, dispatch_uid="requests_app.office_language")
def _note_office_language(sender, instance: RequestLanguage, raw=False, **kwargs):
    if raw:  # loading a fixture
        return
    request = instance.request
    OfficeLanguage.objects.bulk_create(
        [OfficeLanguage(office_id=request.office_id, submitted=request.status != Status.DRAFT, code=instance.code)],
        ignore_conflicts=True,
    )
    forget_request_languages(office_id=request.office_id)
