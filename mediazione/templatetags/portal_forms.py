from django import template

register = template.Library()


@register.filter
def widget_value(bound_field) -> str:
    """The value as the field's own widget would write it: ISO dates for date inputs, 21,50 for a localized
    decimal in Italian, the text typed for a form sent back with errors."""
    value = bound_field.field.widget.format_value(bound_field.value())
    return "" if value is None else str(value)


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
