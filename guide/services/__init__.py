"""Every write of the mini-guide, one module per thing written: the entries and their life, the translations.

Keyword-only, one transaction each, domain errors in the user's language. Import from here
(``from guide import services``).
"""

from .editions import edition_build, edition_request, editions_sweep
from .entries import (
    LOCATION_FIELDS,
    SERVICE_FIELDS,
    TRANSLATED_SERVICE_FIELDS,
    clean_coordinates,
    clean_languages,
    clean_phones,
    clean_schedules,
    entry_confirm_reviewed,
    entry_create,
    entry_publish,
    entry_return,
    entry_state,
    entry_submit,
    entry_update,
    freeze_published_version,
)
from .page_views import is_robot, page_view_count
from .reference import reference_data_seed
from .translations import (
    can_approve,
    clean_hours,
    guide_labels_ensure,
    guide_text_save,
    task_sources,
    translation_save,
    translation_task_approve,
    translation_task_create,
    translation_task_return,
)

__all__ = [
    "LOCATION_FIELDS",
    "SERVICE_FIELDS",
    "TRANSLATED_SERVICE_FIELDS",
    "can_approve",
    "clean_coordinates",
    "clean_hours",
    "guide_labels_ensure",
    "clean_languages",
    "clean_phones",
    "clean_schedules",
    "edition_build",
    "edition_request",
    "editions_sweep",
    "entry_confirm_reviewed",
    "entry_create",
    "entry_publish",
    "entry_return",
    "entry_state",
    "entry_submit",
    "entry_update",
    "freeze_published_version",
    "is_robot",
    "page_view_count",
    "guide_text_save",
    "reference_data_seed",
    "task_sources",
    "translation_save",
    "translation_task_approve",
    "translation_task_create",
    "translation_task_return",
]
