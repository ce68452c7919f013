"""The ``markdown2html`` template filter of the kit's HTML pages: nbconvert's, then cleaned.

nbgrader's ``formgrade`` and ``feedback`` templates render a Markdown cell as
``cell.source | markdown2html | strip_files_prefix`` and never through ``clean_html``, whatever
``HTMLExporter.sanitize_html`` says: raw HTML a student typed into a Markdown cell (``<script>``,
``<img onerror>``) reaches the page as it is.  The source itself cannot be cleaned beforehand: it
is Markdown, not HTML, and it is the student's answer, whose checksum nbgrader compares.  So the
course's configuration replaces the filter (``c.HTMLExporter.filters``): this one renders exactly
as ``HTMLExporter.markdown2html`` does (same renderer, attachments, anchors) and passes the HTML it
produced through ``course_kit.inert.html_policy.clean``.  Maths stays text between its ``$``
delimiters, which MathJax typesets in the page.  It also covers the instructor's comments that the
feedback template renders with the same filter.

An ``attachment:`` reference to an attachment the cell lacks (or whose data ``InertNotebook``
removed) makes nbconvert raise, which would fail the whole formgrader page or feedback of that
student; here it becomes an image without a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from traitlets.config import LoggingConfigurable

from course_kit.inert.html_policy import clean

NO_IMAGE = {"text/plain": ""}  # nbconvert makes it a data:text/plain URL, which the cleaner drops


class _EveryName(dict):
    """A cell's attachments that answer every name: unknown ones, or ones left without data, with NO_IMAGE."""

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> Mapping[str, str]:
        return dict.get(self, name) or NO_IMAGE


@pass_context  # jinja passes the template context (the cell, for its attachments) to the instance's __call__
class InertMarkdown(LoggingConfigurable):
    """Registered by the exporter as ``InertMarkdown(parent=exporter)``; falls back to a plain HTMLExporter."""

    def __call__(self, context: Any, source: str) -> str:
        exporter = self.parent if isinstance(self.parent, HTMLExporter) else HTMLExporter()
        cell = context.get("cell") or {}
        attachments = _EveryName(cell.get("attachments") or {})
        view = {"cell": {"attachments": attachments}, "resources": context.get("resources", {})}
        return clean(exporter.markdown2html(view, source))
