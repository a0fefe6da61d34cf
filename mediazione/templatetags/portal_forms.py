from django import template

register = template.Library()


@register.filter
def widget_value(bound_field) -> str:
    """The value as the field's own widget would write it: ISO dates for date inputs, 21,50 for a localized
    decimal in Italian, the text typed for a form sent back with errors."""
    value = bound_field.field.widget.format_value(bound_field.value())
    return "" if value is None else str(value)
