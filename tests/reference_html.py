"""What the tests of HTML written by Python share (rows, the month grid, form fields): the template it replaced, kept
as the reference beside the tests, and the HTML compared whatever the spaces between tags (the template's line
breaks)."""

import re
from pathlib import Path

from django.template import Template


def reference(name: str) -> Template:
    """The template ``tests/<name>``: what the code written by Python replaced."""
    return Template((Path(__file__).parent / name).read_text(encoding="utf-8"))


def normal(html: str) -> str:
    """The same HTML whatever the spaces between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()
