"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

# The range of a 64-bit primary key: SQLite raises OverflowError (a 500) on a larger number in a query.
_ID_RANGE = range(-(2**63), 2**63)


class IdsModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id no database could hold as an invalid choice.

    Django checks that each value is a number, then asks the database for all of them at once (``pk__in``); a
    number past 64 bits reaches SQLite, which raises OverflowError instead of answering "none".
    """

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk).strip())
            except ValueError:
                continue  # Django's own check says "not a valid value"
            if number not in _ID_RANGE:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(pk)[:30]}
                )
        return super()._check_values(value)
