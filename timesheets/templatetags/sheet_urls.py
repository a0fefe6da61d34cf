"""``{% sheet_url sheet "act" "approve" %}``: a sheet's addresses through timesheets.models.sheet_url (reversed once
per name, not once per row)."""

from django import template

from timesheets.models import sheet_url as _sheet_url

register = template.Library()


@register.simple_tag
def sheet_url(sheet, name: str = "sheet", *extra: str) -> str:
    """The address of a sheet (timesheets.selectors.Sheet) or of a Timesheet row: its page, an action, an export."""
    mediator_id = getattr(sheet, "mediator_id", None) or sheet.mediator.pk
    district_id = getattr(sheet, "district_id", None) or sheet.district.pk
    return _sheet_url(mediator_id, district_id, sheet.month, name, *extra)
