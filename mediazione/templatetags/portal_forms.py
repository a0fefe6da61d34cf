import threading

from django import template
from django.core.signals import setting_changed
from django.db.models import Model
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name, template_localtime
from django.utils.translation import get_language

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
    for key, label in _flat(_choices(bound_field.field)):
        key = "" if key is None else str(key)
        selected = key in chosen and (widget.allow_multiple_selected or not found)
        found = found or selected
        options.append((key, label, selected))
    return options


def _choices(field):
    """The field's choices. A menu of model rows is read with one plain query: Django's ``ModelChoiceIterator`` reads
    it through ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three
    round trips for a menu of a few districts or offices). The same options in the same order (the empty one, then
    django-filter's "no value" one when it has one)."""
    # A menu of rows already read for filter_fields' key is written from what was read (even an empty menu).
    choices = field._read_choices if hasattr(field, "_read_choices") else field.choices
    if not isinstance(choices, ModelChoiceIterator):
        return choices
    first = []
    if field.empty_label is not None:
        first.append(("", field.empty_label))
    if getattr(field, "null_label", None) is not None:  # django-filter's ModelChoiceField
        first.append((field.null_value, field.null_label))
    return [*first, *(choices.choice(obj) for obj in choices.queryset)]


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
    if not formsets and form is not None and getattr(form, "is_bound", True) is False:
        return {"general": general, "links": links, "has_errors": False}  # not sent yet: no error to read
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


def _v(value) -> str:
    """A value written as ``{{ value }}`` writes it: in the current time zone and format, escaped unless safe."""
    if type(value) is str:  # most of them (names, ids, option values): nothing to localize
        return escape(value)
    return conditional_escape(localize(template_localtime(value)))


_REQUIRED = ' <span class="text-danger" aria-hidden="true">*</span>'
_INPUT_ATTRS = ("autocomplete", "placeholder", "maxlength", "step", "min", "max")


@register.simple_tag
def portal_field(field, hide_help_text=False):
    """One form field in the Bootstrap Italia look (label, control, help, errors tied to the control), written by
    Python: ``includes/field.html`` calls it. A template of forty conditions and lookups, rendered for each field of a
    list's filters, cost a quarter of a roster page (issue #17); tests/test_field_html.py holds this to that template
    (kept there as the reference) for every kind of field the portal uses, with and without errors."""
    if field.is_hidden:
        return conditional_escape(field)
    widget = field.field.widget
    kind = getattr(widget, "input_type", None) or ""
    multiple = getattr(widget, "allow_multiple_selected", False)
    id_ = _v(field.id_for_label)
    name = _v(field.html_name)
    errors = field.errors
    help_text = field.help_text and not hide_help_text
    required = field.field.required
    roles = getattr(field.field, "roles", None)
    data_roles = ' data-roles="%s"' % _v(roles) if roles else ""  # noqa: UP031 (no backslash in an f-string)
    help_id = ' aria-describedby="%s-help"' % id_  # noqa: UP031
    out = [f'<div class="mb-4 form-field"{data_roles}>']
    if kind == "checkbox" and not multiple:
        out.append(
            f'<div class="form-check"><input type="checkbox" class="form-check-input{" is-invalid" if errors else ""}"'
            f' name="{name}" id="{id_}"{" checked" if field.value() else ""}{help_id if help_text else ""}>'
            f'<label class="form-check-label" for="{id_}">{_v(field.label)}</label></div>'
        )
    elif multiple and kind == "checkbox":
        out.append(
            f'<fieldset><legend class="form-label fw-semibold fs-6">{_v(field.label)}'
            f"{_REQUIRED if required else ''}</legend>"
        )
        for option in field:
            option_id = _v(option.id_for_label)
            out.append(
                f'<div class="form-check"><input type="checkbox" class="form-check-input" name="{name}"'
                f' value="{_v(option.data["value"])}" id="{option_id}"{" checked" if option.data["selected"] else ""}>'
                f'<label class="form-check-label" for="{option_id}">{_v(option.choice_label)}</label></div>'
            )
        out.append("</fieldset>")
    else:
        out.append(
            f'<label class="form-label fw-semibold" for="{id_}">{_v(field.label)}'
            f"{_REQUIRED if required else ''}</label>"
        )
        invalid = f' aria-invalid="true" aria-describedby="{id_}-errors"' if errors else ""
        if kind == "select":
            size = f' multiple size="{_v(widget.attrs.get("size") or 8)}"' if multiple else ""
            options = "".join(
                f'<option value="{_v(value)}"{" selected" if selected else ""}>{_v(label)}</option>'
                for value, label, selected in select_options(field)
            )
            out.append(
                f'<select class="form-select{" is-invalid" if errors else ""}" name="{name}" id="{id_}"{size}'
                f"{' required' if required else ''}{invalid}>{options}</select>"
            )
        elif widget.template_name == "django/forms/widgets/textarea.html":
            described = invalid or (help_id if field.help_text else "")
            value = field.value()
            out.append(
                f'<textarea class="form-control{" is-invalid" if errors else ""}" name="{name}" id="{id_}"'
                f' rows="{_v(widget.attrs.get("rows") or 4)}"{" required" if required else ""}{described}>'
                f"{_v('' if value is None else value)}</textarea>"
            )
        else:
            value = f' value="{_v(widget_value(field))}"' if kind != "password" else ""
            attrs = "".join(f' {_v(key)}="{_v(val)}"' for key, val in widget.attrs.items() if key in _INPUT_ATTRS)
            described = invalid or (help_id if help_text else "")
            out.append(
                f'<input class="form-control{" is-invalid" if errors else ""}" type="{_v(kind or "text")}"'
                f' name="{name}" id="{id_}"{value}{" required" if required else ""}{attrs}{described}>'
            )
    if help_text:
        out.append(f'<div class="form-text" id="{id_}-help">{mark_safe(field.help_text)}</div>')  # noqa: S308 (as |safe)
    if errors:
        out.append(
            f'<div class="invalid-feedback d-block" id="{id_}-errors">{"".join(f"{_v(e)} " for e in errors)}</div>'
        )
    out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped by _v)


# --- A list's filters, written once per process for each exact set of inputs ------------------------------------------

FILTER_ENTRIES = 512
_filters: dict[tuple, str] = {}
_filters_lock = threading.Lock()


@register.simple_tag
def filter_fields(form, column_class: str) -> str:
    """A list's filters: each field of ``form`` in a column of ``column_class``, as ``includes/field.html`` writes
    it (the summary of errors stays with ``includes/form_errors.html``). Ten fields and a menu of seventy languages
    cost a fifth of a roster page (issue #17), and the same few forms come back on every page: the HTML is kept in
    each process under everything it is written from (the language, the time zone, and for each field its name,
    kind, label, help, value, attributes, errors and choices, a menu of rows read as it would be to write it), so a
    kept form is one a person would get written again, letter for letter (tests/test_field_html.py)."""
    choices = {field.name: _fixed_choices(field.field) for field in form if hasattr(field.field, "choices")}
    key = (
        _kind(form),  # django-filter makes a form class for each filter set it builds
        form.prefix,
        form.auto_id,
        get_language(),
        get_current_timezone_name(),
        column_class,
        form.is_bound,
        tuple(_field_key(field, choices.get(field.name)) for field in form),
    )
    html = _filters.get(key)
    if html is None:
        column = escape(column_class)
        html = "".join(f'<div class="{column}">{portal_field(field)}</div>' for field in form)
        with _filters_lock:
            if len(_filters) >= FILTER_ENTRIES:
                _filters.clear()  # rarely reached: a few forms per scope, language and filter
            _filters[key] = html
    return mark_safe(html)  # noqa: S308 (the template's and portal_field's escaped HTML)


def _fixed_choices(field) -> tuple:
    """The field's choices as plain (value, label) pairs, a menu of rows read once: the field keeps what was read
    (``_read_choices``, which :func:`_choices` gives back), so that writing it reads no row again."""
    choices = _choices(field)
    if isinstance(field.choices, ModelChoiceIterator):
        field._read_choices = choices
    return tuple(("" if key is None else str(key), str(label)) for key, label in _flat(choices))


def _plain(value):
    """A value as a key: a model row by its class and id (two rows never share a key, whatever their str())."""
    if isinstance(value, Model):
        return (type(value), value.pk)
    if isinstance(value, (list, tuple)):
        return tuple(_plain(item) for item in value)
    return (type(value), value if isinstance(value, (str, int, float, bool, type(None))) else repr(value))


def _kind(value) -> str:
    """A class by its name: django-filter makes some widget classes (a CSV menu) each time it builds a filter set."""
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _field_key(field, choices) -> tuple:
    widget = field.field.widget
    return (
        field.html_name,
        field.auto_id,
        _kind(field.field),
        _kind(widget),
        str(field.label),
        str(field.help_text),
        field.field.required,
        field.is_hidden,
        getattr(field.field, "roles", None),
        _plain(field.value()),
        tuple(sorted((str(name), str(value)) for name, value in widget.attrs.items())),
        tuple(str(error) for error in field.errors),
        choices,
    )


@receiver(setting_changed)
def forget_filters(**kwargs) -> None:
    """A setting changed (tests): a form may be written from it."""
    with _filters_lock:
        _filters.clear()
