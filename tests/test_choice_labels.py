"""core/choices.py keeps each field's choices instead of rebuilding them at every get_FOO_display(): the labels are
the very ones Django gives, in the language of the moment, for every choice of every model of the portal."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from core.choices import _display, choice_labels, keep_choice_labels
from requests_app.models import MediationRequest, Status


def choice_fields():
    for model in apps.get_models():
        for field in model._meta.fields:
            if field.choices and model.__dict__.get(f"get_{field.name}_display") is not None:
                yield model, field


def test_every_choice_field_of_the_portal_uses_the_kept_labels():
    assert keep_choice_labels() == 0  # done once, at start-up: nothing left to replace
    kept = [
        (model, field)
        for model, field in choice_fields()
        if model.__dict__[f"get_{field.name}_display"].func is _display
    ]
    assert len(kept) > 20
    assert any(model is MediationRequest and field.name == "status" for model, field in kept)


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_kept_labels_are_djangos_in_each_language(language):
    with translation.override(language):
        for model, field in choice_fields():
            obj = model()
            for value, _label in [*field.flatchoices, ("not-a-choice", "")]:
                setattr(obj, field.attname, value)
                expected = models.Model._get_FIELD_display(obj, field)
                assert getattr(obj, f"get_{field.name}_display")() == expected, (model, field.name, value)


def test_a_status_label_follows_the_language_of_the_request():
    request = MediationRequest(status="submitted")
    with translation.override("it"):
        italian = request.get_status_display()
    with translation.override("en"):
        english = request.get_status_display()
    assert italian != english and english == "Submitted"


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_fields_labels_at_once_are_those_get_foo_display_gives_in_the_language_of_the_moment(language):
    with translation.override(language):
        labels = choice_labels(MediationRequest, "status")
        assert labels == {
            value: MediationRequest(status=value).get_status_display() for value, _label in Status.choices
        }
    assert all(type(label) is str for label in labels.values())
    assert labels["draft"] == ("Bozza" if language == "it" else "Draft")
