"""A formula's TeX as MathML, made on the server, so that the page needs no MathJax and no network.

nbgrader's formgrader and feedback pages load MathJax from a CDN: on a classroom machine without
internet the derivation a TA grades shows as raw ``$...$``.  Chromium (since 109), Firefox and Safari
render MathML Core natively, so the kit turns each formula into MathML while it renders the page
(``course_kit.inert.markdown_filter``); a feedback file a student opens from disk then shows its maths
with no script at all, which also keeps the page inert.

The converter is latex2mathml (pure Python, pinned).  Its own serialiser puts a ``\\text{...}``'s
characters into the markup unescaped (``\\text{<img/src=x/onerror=...>}`` would be a tag), so the
element tree it builds is serialised here with ElementTree, which escapes text and attributes, and only
the numeric character references latex2mathml writes as text (``&#x02212;``) are given back their
meaning.  What it makes still goes through ``course_kit.inert.html_policy.clean`` (``\\href`` becomes an
``href`` attribute, which the policy drops).  A command latex2mathml does not know stays visible as its
name (``\\foo``); a formula it cannot convert at all, or one longer than ``MAX_TEX_CHARS``, gives
``None`` and the caller shows the TeX as text: a formula never vanishes.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import tostring

from latex2mathml.converter import convert_to_element

MAX_TEX_CHARS = 5000  # far above any formula of the course (the longest is ~150 characters); bounds the work
_ESCAPED_REFERENCE = re.compile(r"&amp;(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7});")


def tex_to_mathml(tex: str, display: bool) -> str | None:
    """``<math>`` for ``tex`` (the formula without its delimiters), or ``None`` where it cannot be converted."""
    if len(tex) > MAX_TEX_CHARS or not tex.strip():
        return None
    try:
        element = convert_to_element(tex, display="block" if display else "inline")
        markup = tostring(element, encoding="unicode", short_empty_elements=False)
    except Exception:  # noqa: BLE001  (any TeX a student types: unbalanced braces, deep nesting, unknown environments)
        return None
    return _ESCAPED_REFERENCE.sub(r"&\1;", markup)
