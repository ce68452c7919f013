"""What a student's HTML may keep: the one sanitizer every page the kit renders runs student content through.

A student's notebook is rendered, in formgrader and in the feedback, as part of a page of the Jupyter
server's origin: a script in it runs with the instructor's cookie and ``_xsrf`` and can start a kernel
as the instructor.  So every piece of HTML that comes from the notebook (an HTML or Markdown output,
a Markdown cell once rendered, a raw cell) is cleaned by ``clean`` before it reaches a page.

The cleaner is ammonia (Rust, maintained, html5ever's parser, so what it keeps is what a browser
parses) through its Python binding ``nh3``; bleach, which nbconvert's own ``sanitize_html`` uses, is
deprecated, and nbgrader's templates skip it for Markdown cells anyway.  ammonia works from an
allow-list: ``<script>``, ``<style>``, ``<iframe>``, ``<object>``/``<embed>``, ``<form>``,
``<meta>``, ``<base>``, ``<link>``, ``<svg>`` and every ``on*`` attribute are never kept.  On top of
its defaults this policy:

* keeps ``class`` (code highlighting, the anchors nbconvert adds) but no ``id`` (an element of the
  student's with the id of a formgrader field, e.g. ``derivation``, would capture that field's
  score) and no ``data-*`` (Bootstrap's data API would act on them);
* keeps ``style`` with only the properties ``STYLE_PROPERTIES`` lists: colours, borders, spacing,
  alignment, size; none that can load a URL (``background``, ``list-style``, ``cursor``,
  ``border-image``) or move a box over the page (``position``, ``transform``);
* lets an image load only from a ``data:`` URL of a raster type (PNG, JPEG, GIF, WebP: an SVG can
  hold script): any other ``src`` is a request the instructor's browser would make with their
  cookie, e.g. to a formgrader URL that acts on a GET;
* lets a link go only to ``http``, ``https``, ``mailto`` or a ``#fragment`` of the same page, with
  ``rel="noopener noreferrer"``; ``javascript:`` and same-origin paths are dropped;
* keeps MathML, which the kit makes from the maths' TeX (``course_kit.inert.tex_mathml``) and which
  the browser renders without script: the presentation elements of MathML Core (``MATHML_TAGS``)
  with only the attributes that lay them out (``MATHML_ATTRIBUTES``).  Not ``<maction>`` (its
  ``actiontype`` toggles and writes the status line in some browsers), ``<annotation-xml>`` (an
  HTML integration point: HTML, ``<svg>``, script inside maths), ``<semantics>``/``<annotation>``,
  ``<mglyph>`` (loads an image), and no ``href`` (a link on any MathML element in Firefox),
  ``xlink:href``, ``src``, ``actiontype`` or ``definitionURL``; and, as for CSS, nothing that moves
  maths off its own box over the page: no ``voffset``, no negative length (``\\hspace{-50em}``).
  ammonia checks every change of namespace between HTML and MathML, so markup that parses
  differently once re-serialised (the mutation XSS of ``<math><mtext><table><mglyph><style>``) is
  dropped.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

# CSS properties a student's inline style may set: none takes a URL or takes the box out of the flow.
STYLE_PROPERTIES = frozenset({
    "color", "background-color", "opacity",
    "font-family", "font-size", "font-style", "font-weight", "font-variant", "line-height",
    "text-align", "text-decoration", "text-indent", "text-transform", "vertical-align", "white-space",
    "word-break", "word-wrap", "overflow-wrap", "letter-spacing", "word-spacing",
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-width", "border-style",
    "border-color", "border-radius", "border-collapse", "border-spacing",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "width", "min-width", "max-width", "height", "min-height", "max-height", "display", "caption-side",
})  # fmt: skip
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp)(;[^,]*)?,", re.IGNORECASE)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# MathML Core's presentation elements (w3.org/TR/mathml-core), and menclose, which latex2mathml writes for
# \cancel and \fbox (Chromium shows its content as a row).
MATHML_TAGS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "merror", "mfrac", "msqrt", "mroot", "mstyle",
    "mpadded", "mphantom", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none", "mtable", "mtr", "mtd", "menclose",
})  # fmt: skip
# Layout only: sizes, spacing, alignment, fonts, colours (mathcolor/mathbackground take a colour, never a URL).
# Lengths only where they widen a box, never negative (MATHML_LENGTHS, _attribute_filter).
_MATHML_EVERYWHERE = {"displaystyle", "scriptlevel", "mathvariant", "mathsize", "mathcolor", "mathbackground"}
MATHML_ATTRIBUTES = {
    "math": {"display", "xmlns"},
    "mo": {"form", "fence", "separator", "lspace", "rspace", "stretchy", "symmetric", "maxsize", "minsize",
           "largeop", "movablelimits", "accent"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mfrac": {"linethickness"},
    "mspace": {"width", "height", "depth", "linebreak"},
    "mpadded": {"width", "height", "depth", "lspace"},
    "mtable": {"columnalign", "rowalign", "columnlines", "rowlines", "columnspacing", "rowspacing", "frame"},
    "mtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"},
    "menclose": {"notation"},
}  # fmt: skip

MATHML_LENGTHS = frozenset({"width", "height", "depth", "lspace", "rspace"})

_TAGS = set(nh3.ALLOWED_TAGS) | {"tfoot"} | MATHML_TAGS  # ammonia lists tfoot's attributes but not the tag
_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["*"] = {"class", "style", "title", "lang", "dir"}
for _tag in MATHML_TAGS:
    _ATTRIBUTES[_tag] = _ATTRIBUTES.get(_tag, set()) | _MATHML_EVERYWHERE | MATHML_ATTRIBUTES.get(_tag, set())


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """Keep a URL attribute only where it can neither run script nor make a request with the reader's cookie, and
    a MathML length only where it cannot pull maths over what is beside it."""
    if element in MATHML_TAGS and attribute in MATHML_LENGTHS:
        return None if value.strip().startswith("-") else value
    if attribute == "src" or (element == "img" and attribute in {"srcset", "longdesc", "usemap"}):
        return value if attribute == "src" and IMAGE_DATA.match(value.strip()) else None
    if attribute in {"href", "cite"}:
        url = value.strip()
        if url.startswith("#"):
            return value
        return value if urlsplit(url).scheme.lower() in LINK_SCHEMES else None
    return value


def clean(html: str) -> str:
    """``html`` (a fragment) with nothing that can run script or reach out: see the module docstring."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=set(LINK_SCHEMES) | {"data"},
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )

