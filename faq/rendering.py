"""Answers are written in Markdown and shown as HTML: Markdown first, then nh3 keeps only an allow-list of tags and
attributes (no script, no style, no event handler, no image, links only to http(s), mailto and the portal's own
addresses, each with rel="noopener noreferrer"). The HTML is stored with the answer; the template marks it safe only
because it went through here.

Two short forms link inside the portal: ``[testo](faq:12)`` to another answer, ``[testo](guida:<uuid>)`` to an entry
of the province's published guide.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3
from django.urls import NoReverseMatch, reverse

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}
_SHORT_LINK = re.compile(r"\]\((faq|guida):([0-9A-Za-z-]{1,40})\)")
# Markdown headings become h3/h4 inside the answer (the page's h1 is the question).
_HEADING = re.compile(r"^(#{1,6})\s", re.MULTILINE)


def _expand_links(text: str, province_slug: str) -> str:
    def replace(match: re.Match) -> str:
        kind, key = match.groups()
        try:
            if kind == "faq":
                url = reverse("faq:detail", args=[int(key)])
            else:
                url = reverse("guide_public:entry", args=[province_slug, key])
        except (NoReverseMatch, ValueError):
            return match.group()
        return f"]({url})"

    return _SHORT_LINK.sub(replace, text)


def render(text: str, *, province_slug: str = "") -> str:
    """The safe HTML of a Markdown answer."""
    text = _expand_links(text or "", province_slug)
    text = _HEADING.sub(lambda m: "#" * min(max(len(m.group(1)), 3), 4) + " ", text)
    raw = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def plain_text(safe_html: str) -> str:
    """The words of the HTML, for the search and its snippets."""
    text = nh3.clean(safe_html.replace("</p>", "</p> ").replace("<br>", " ").replace("</li>", "</li> "), tags=set())
    return " ".join(html.unescape(text).split())
