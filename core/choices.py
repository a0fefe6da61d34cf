"""``get_FOO_display()`` without rebuilding the field's choices at every call.

Django's ``Model._get_FIELD_display`` makes a dictionary of the field's whole list of choices each time it is
called (``dict(make_hashable(field.flatchoices))``): a list page of 25 requests that shows their status, service
and setting builds 75 of them, a tenth of the page's Python time (issue #17). Here each field's dictionary is made
once and kept; its labels stay lazy, so each call still answers in the language of the request. Fields whose choices
are a callable (evaluated anew each time by Django) are left to Django.
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_labels: dict[models.Field, dict] = {}


def _labels_of(field: models.Field) -> dict:
    labels = _labels.get(field)
    if labels is None:
        labels = _labels[field] = dict(make_hashable(field.flatchoices))
    return labels


def _display(self, field):
    value = getattr(self, field.attname)
    labels = _labels_of(field)
    try:
        label = labels.get(value, value)
    except TypeError:  # an unhashable value (a list in a JSON field), as Django handles it
        label = labels.get(make_hashable(value), value)
    return force_str(label, strings_only=True)


def choice_labels(model: type[models.Model], name: str) -> dict:
    """A field's choices as ``{value: label}``, the labels in the current language: for code that writes many rows at
    once (the rows written by Python), each label translated once per call instead of once per row."""
    return {value: force_str(label) for value, label in _labels_of(model._meta.get_field(name)).items()}


def keep_choice_labels() -> int:
    """Put :func:`_display` in place of Django's own wherever Django put its own; how many methods were replaced."""
    replaced = 0
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            if (
                field.choices
                and isinstance(method, partialmethod)
                and method.func is models.Model._get_FIELD_display
                and not isinstance(field.choices, CallableChoiceIterator)
            ):
                setattr(model, name, partialmethod(_display, field=field))
                replaced += 1
    return replaced
