"""Make a student's notebook inert: nothing in it can run as script in a page that shows it.

Runs twice (defence in depth; ``course_kit/nbgrader_setup.py`` composes both):

* in autograde, after ``SaveAutoGrades``, so that the graded notebook on disk is inert whatever
  later reads it;
* at render time, on every ``HTMLExporter`` the course's configuration builds (formgrader's Manual
  grading view and ``nbgrader generate_feedback``), so that a notebook graded before this step
  existed, or by stock nbgrader, renders inert too.

What it does to the notebook (the HTML cleaner is ``course_kit.inert.html_policy.clean``):

* outputs keep ``text/plain``, ``image/png``, ``image/jpeg``, ``image/gif``, ``text/latex``, and
  ``text/html`` cleaned; ``text/markdown`` becomes cleaned ``text/html`` (nbconvert's Markdown, maths
  as MathML: ``course_kit.inert.tex_mathml``), and so does ``text/latex`` where the output has no
  HTML (the templates would print its TeX for a MathJax the pages no longer load); every other type
  is dropped (``application/javascript``, ``image/svg+xml``, widget views,
  Mermaid, PDF, anything unknown), and an output left without data says in ``text/plain`` what was
  dropped.  Output metadata keeps only numeric ``width``/``height``, a string ``alt`` and the kit's
  own marker: the templates write ``width={{ width }}`` unquoted, and ``filenames`` into ``src``;
* raw cells that the HTML exporter would paste into the page (format ``text/html`` or none) are
  cleaned; others (LaTeX, reST) are text the HTML page never shows;
* Markdown cell attachments keep only raster images (an SVG attachment is an image that can hold
  script in other viewers); one left with none holds an empty ``text/plain``, so that the cell's
  ``attachment:`` link still resolves (nbconvert fails the whole page on a missing one);
* notebook metadata loses ``widgets`` (saved widget state, which nbconvert's templates turn into a
  widget manager that renders it), execution counts that are not integers become ``None``, and an
  nbgrader ``grade_id`` is HTML-escaped (nbgrader's templates write it unescaped into attributes;
  the ids nbgrader itself accepts are unchanged by escaping).

Markdown cell *sources* are never changed here: nbgrader compares an answer cell's source with the
gradebook's checksum (``nbgrader.utils.compute_checksum``) to decide whether it was answered, and a
student's derivation is their answer as they wrote it.  The templates render them through
``course_kit.inert.markdown_filter.InertMarkdown``, which cleans the HTML that Markdown becomes.
The kit's own outputs (the checks' table, the graders' PNG figures) are made of what this policy
keeps, so they pass unchanged in content.
"""

from __future__ import annotations

import html
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode

from course_kit.inert.html_policy import clean
from course_kit.inert.markdown_filter import markdown_to_html
from course_kit.preprocessors.display_priority import TakesDisplayPriority

KEPT_AS_IS = frozenset({"text/plain", "image/png", "image/jpeg", "image/gif", "text/latex"})
RASTER_ATTACHMENTS = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
HTML_RAW_FORMATS = frozenset({"", "text/html"})  # what nbconvert's HTMLExporter pastes (its raw_mimetypes)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def inert_data(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """An output's MIME bundle as it may be shown, and the types dropped from it."""
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for mime, value in data.items():
        if mime in KEPT_AS_IS:
            kept[mime] = value
        elif mime == "text/html":
            kept[mime] = clean(_text(value))
        elif mime == "text/markdown":
            if "text/html" not in data:
                kept["text/html"] = clean(markdown_to_html(_text(value)))
        else:
            dropped.append(mime)
    if "text/latex" in kept and "text/html" not in kept:
        kept["text/html"] = clean(markdown_to_html(_text(kept["text/latex"])))
    if not kept:
        kept["text/plain"] = f"[output not shown: {', '.join(sorted(dropped)) or 'no data'}]"
    return kept, dropped


def inert_output_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in metadata.items():
        if key == "course_kit":
            kept[key] = value
        elif "/" in key and isinstance(value, dict):
            sizes = {k: v for k, v in value.items() if k in ("width", "height")
                     and isinstance(v, (int, float)) and not isinstance(v, bool)}
            if isinstance(value.get("alt"), str):
                sizes["alt"] = value["alt"]
            if sizes:
                kept[key] = sizes
        elif key in ("width", "height") and isinstance(value, (int, float)) and not isinstance(value, bool):
            kept[key] = value
    return kept


class InertNotebook(TakesDisplayPriority):
    """The notebook with nothing that can run as script where it is rendered (module docstring)."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        nbgrader = cell.get("metadata", {}).get("nbgrader")
        if isinstance(nbgrader, dict) and isinstance(nbgrader.get("grade_id"), str):
            nbgrader["grade_id"] = html.escape(nbgrader["grade_id"])
        if cell.cell_type == "code":
            if not isinstance(cell.get("execution_count"), int):
                cell.execution_count = None
            for output in cell.get("outputs", []):
                if not isinstance(output.get("execution_count", None), (int, type(None))):
                    output.execution_count = None
                if "data" in output:
                    output.data, dropped = inert_data(output.data)
                    if dropped:
                        self.log.warning("Cell %d: dropped output types that can run script: %s", index,
                                         ", ".join(dropped))
                if "metadata" in output:
                    output.metadata = inert_output_metadata(output.metadata)
        elif cell.cell_type == "raw":
            fmt = str(cell.metadata.get("format", cell.metadata.get("raw_mimetype", ""))).lower()
            if fmt in HTML_RAW_FORMATS:
                cell.source = clean(cell.source)
        if "attachments" in cell:
            for name, bundle in list(cell.attachments.items()):
                cell.attachments[name] = {m: v for m, v in bundle.items() if m in RASTER_ATTACHMENTS} or {
                    "text/plain": ""}
        return cell, resources
