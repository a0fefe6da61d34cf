"""The course's printed papers (WeasyPrint, Italian whatever the reader's language): the sign-in sheet of a
session and the certificate of attendance."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict) -> bytes:
    import weasyprint

    with translation.override("it"):
        html = render_to_string(template, context)
    stream = BytesIO()
    weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stream)
    return stream.getvalue()
