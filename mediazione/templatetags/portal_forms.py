from django import template

register = template.Library()


@register.filter
def widget_value(bound_field) -> str:
    """The value as the field's own widget would write it: ISO dates for date inputs, 21,50 for a localized
    decimal in Italian, the text typed for a form sent back with errors."""
    value = bound_field.field.widget.format_value(bound_field.value())
    return "" if value is None else str(value)


@register.filter
def select_options(bound_field) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of a select, as Django's widget writes them, read straight from the
    field's choices: Django builds a dictionary of context per option (a menu of forty languages cost a tenth of a
    list page, issue #17). Groups of options are written as plain options, in their order."""
    widget = bound_field.field.widget
    value = bound_field.value()
    values = value if widget.allow_multiple_selected and isinstance(value, (list, tuple)) else [value]
    chosen = {"" if v is None else str(v) for v in values}
    options, found = [], False
    for key, label in _flat(bound_field.field.choices):
        key = "" if key is None else str(key)
        selected = key in chosen and (widget.allow_multiple_selected or not found)
        found = found or selected
        options.append((key, label, selected))
    return options


def _flat(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield key, label


def _field_errors(form, row: int | None = None):
    """(id, label, message) of each field with errors in ``form``, in the order of its fields."""
    from django.utils.translation import gettext as _

    for field in form:
        if not field.errors:
            continue
        label = str(field.label)
        if row is not None:
            label = _("%(field)s, row %(row)s") % {"field": label, "row": row}
        anchor = field.id_for_label if not field.is_hidden else ""
        yield anchor, label, " ".join(str(error) for error in field.errors)


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form=None, *formsets):
    """The summary at the top of a form sent back with errors: what belongs to no field, then a link to each field
    to correct (``href="#id_…"``), formsets' rows included. static/js/portal.js moves the focus to it on load."""
    general, links = [], []
    if form is not None and hasattr(form, "errors"):
        general.extend(str(error) for error in form.non_field_errors())
        links.extend(_field_errors(form))
    for formset in formsets:
        if not formset or not hasattr(formset, "forms"):
            continue
        first = next(iter(formset.forms), None)
        first_id = next((f.id_for_label for f in first if not f.is_hidden), "") if first is not None else ""
        general.extend((first_id, str(error)) for error in formset.non_form_errors())
        for index, row in enumerate(formset.forms, start=1):
            if not row.errors:
                continue
            general.extend(str(error) for error in row.non_field_errors())
            links.extend(_field_errors(row, index))
    general = [item if isinstance(item, tuple) else ("", item) for item in general]
    has_errors = bool(general or links) or bool(getattr(form, "errors", None))
    return {"general": general, "links": links, "has_errors": has_errors}
