"""What a family's identity looks like in text: a tax code (codice fiscale), an e-mail address, a phone number.

One set of patterns for every place that must refuse them: the request's case code and free notes
(requests_app), the operators' questions and answers (faq).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TAX_CODE = re.compile(r"[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]", re.IGNORECASE)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"(?:\+|00)?\d[\d\s./-]{7,}\d")
# An Italian mobile number (3xx…), with or without +39: a private person's, never an office's switchboard.
_MOBILE_DIGITS = re.compile(r"(?:39)?3\d{8,9}")


def has_tax_code(text: str) -> bool:
    return bool(TAX_CODE.search(re.sub(r"[\s.-]", "", text)))


def _phone_numbers(text: str) -> list[str]:
    """The digit runs of ``text`` long enough to be a phone number: nine digits or more once spaces, dots, dashes
    and slashes are taken out (a date, 12/03/2026, has eight; a law, 286/1998, seven)."""
    found = []
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) >= 9:
            found.append(digits[2:] if match.group().startswith("00") else digits)
    return found


def check_free_text(text: str, *, offices_allowed: bool = False) -> None:
    """Refuse a text that carries a person's identity, with a message saying what to remove.

    ``offices_allowed``: an answer may give an office's e-mail address or switchboard number (that is what answers
    are for); a tax code and a mobile number are a person's and stay refused everywhere.
    """
    if has_tax_code(text):
        raise ValidationError(
            _("This text contains what looks like a tax code (codice fiscale): remove it."), code="tax_code"
        )
    if not offices_allowed and EMAIL.search(text):
        raise ValidationError(_("This text contains an e-mail address: remove it."), code="email")
    for digits in _phone_numbers(text):
        if not offices_allowed or _MOBILE_DIGITS.fullmatch(digits):
            raise ValidationError(_("This text contains what looks like a phone number: remove it."), code="phone")
