"""The course's maths becomes MathML on the server, every formula of it, and MathML carries no script.

The pages the kit renders (formgrader's, the feedback) no longer load MathJax from a CDN
(``course_kit/templates/base/mathjax.html.j2``); the Markdown filter writes each formula as MathML
(``course_kit.inert.tex_mathml``) and the HTML policy keeps MathML's layout and nothing else.  Here,
without a browser (``tests/test_offline_maths.py`` opens the pages):

* every formula in every Markdown cell of every ``source/*/*.ipynb``, and of every sample submission
  built from ``samples/`` (the derivation a TA grades included), converts, and none loses a letter or
  digit of its TeX on the way: whatever the converter could not place stays visible;
* a formula that cannot be converted stays on the page as its TeX, between its delimiters;
* MathML and TeX built to carry script (``<maction>``, ``href`` on ``<mi>``, ``<annotation-xml>``
  holding ``<svg onload>``, ``<mglyph src>``, the ``<mtext><table><mglyph><style>`` mutation,
  ``\\href{javascript:...}``, ``\\text{<img onerror>}``) comes out of the policy without any of it.
"""

from __future__ import annotations

import re
from collections import Counter

import nbformat
import pytest
from bs4 import BeautifulSoup
from formula_finder import formulas
from nbformat import NotebookNode

from conftest import REPO
from course_kit.inert import clean
from course_kit.inert.markdown_filter import markdown_to_html
from course_kit.inert.tex_mathml import tex_to_mathml
from course_kit.instructor.samples import build_submission, read_sample

SOURCES = sorted(REPO.glob("source/*/*.ipynb"))
SAMPLES = sorted(REPO.glob("samples/*/*.py"))


def markdown_cells() -> list[tuple[str, str]]:
    """(where, source) of every Markdown cell of the course's notebooks and of every sample submission."""
    cells = [(f"{path.relative_to(REPO)} cell {i}", cell.source) for path in SOURCES
             for i, cell in enumerate(nbformat.read(path, as_version=4).cells) if cell.cell_type == "markdown"]
    for path in SAMPLES:
        assignment = path.parent.name
        release = next((REPO / "release" / assignment).glob("*.ipynb"))
        source = next((REPO / "source" / assignment).glob("*.ipynb"))
        nb: NotebookNode = build_submission(release, source, read_sample(path))
        cells += [(f"{path.relative_to(REPO)} cell {i}", cell.source) for i, cell in enumerate(nb.cells)
                  if cell.cell_type == "markdown"]
    return cells


def glyphs(tex: str) -> Counter[str]:
    """The letters and digits a reader sees in a formula: its TeX less the commands' names and the environments."""
    tex = re.sub(r"\\(begin|end)\{[^}]*\}", " ", tex)
    return Counter(re.findall(r"[A-Za-z0-9]", re.sub(r"\\[A-Za-z]+", " ", tex)))


def test_the_course_has_maths_to_convert() -> None:
    """The survey below covers real maths: the three notebooks, the samples, and the graded derivation."""
    cells = markdown_cells()
    assert {path.parent.name for path in SOURCES} == {path.parent.name for path in SAMPLES}
    every = [f for _, source in cells for f in formulas(source)]
    assert len({tex for _, tex in every}) > 100 and any(display for display, _ in every)
    derivations = [source for where, source in cells if "Model answer" in source and "samples/" in where]
    assert len(derivations) == len(list(REPO.glob("samples/ps2_stable_loss/*.py")))


@pytest.mark.parametrize(("where", "source"), markdown_cells(), ids=lambda v: v if " cell " in str(v) else "")
def test_every_formula_converts_and_keeps_what_it_shows(where: str, source: str) -> None:
    found = formulas(source)
    html = clean(markdown_to_html(source))
    soup = BeautifulSoup(html, "html.parser")
    maths = soup.find_all("math")
    assert len(maths) == len(found), (where, [tex for _, tex in found])
    assert soup.select("span.tex") == []  # no fallback: each converted
    for (display, tex), math in zip(found, maths, strict=True):
        assert math.get("display") == ("block" if display else "inline"), tex
        shown = Counter(re.findall(r"[A-Za-z0-9]", math.get_text()))
        assert not glyphs(tex) - shown, (tex, str(math))  # nothing of it vanished
        assert "\\" not in math.get_text(), (tex, str(math))  # no command the converter did not know
    # Outside code, no TeX delimiter is left for a MathJax that the page no longer loads.
    for code in soup.find_all(["code", "pre"]):
        code.decompose()
    assert "$" not in soup.get_text(), (where, soup.get_text())


def test_a_formula_that_cannot_be_converted_stays_visible_as_tex() -> None:
    too_long, invalid = "x+" * 3000 + "y", "x^1^2"  # over MAX_TEX_CHARS; TeX's own "double superscript" error
    html = clean(markdown_to_html(f"unconverted: ${too_long}$, ${invalid}$, $$ $$ and $a < b$"))
    soup = BeautifulSoup(html, "html.parser")
    assert [s.get_text() for s in soup.select("span.tex")] == [f"${too_long}$", f"${invalid}$", "$$ $$"]
    assert [m.get_text() for m in soup.find_all("math")] == ["a<b"]


def test_an_unknown_command_stays_visible() -> None:
    math = BeautifulSoup(clean(markdown_to_html(r"$\unknowncommand{x} + 1$")), "html.parser").find("math")
    assert r"\unknowncommand" in math.get_text() and "x" in math.get_text()


# MathML and TeX that would run script, follow a link, load a URL or escape the maths if a browser kept them.
MATHML_ATTACKS = [
    '<math><maction actiontype="statusline#pwned" onclick="alert(1)"><mi>x</mi><mtext>pwned</mtext></maction></math>',
    '<math><maction actiontype="toggle" selection="2"><mi>a</mi><mi>b</mi></maction></math>',
    '<math><mi href="javascript:alert(1)">click</mi><mrow href="javascript:alert(2)"><mn>1</mn></mrow></math>',
    '<math xmlns:xlink="http://www.w3.org/1999/xlink"><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<math><semantics><mi>x</mi><annotation-xml encoding="text/html"><svg onload="alert(1)"></svg>'
    '<img src="x" onerror="alert(2)"></annotation-xml></semantics></math>',
    '<math><annotation-xml encoding="application/xhtml+xml"><script>alert(1)</script></annotation-xml></math>',
    '<math><mglyph src="http://127.0.0.1:9/ran/mglyph"></mglyph><mi>x</mi></math>',
    '<math><mtext><table><mglyph><style><img src="x" onerror="alert(1)"></style></mglyph></table></mtext></math>',
    '<math><mi><svg onload="alert(1)"></svg></mi>'
    '<mi id="derivation" data-toggle="x" style="position:fixed">y</mi></math>',
    '<math><mi>x</mi><style>*{background:url(http://127.0.0.1:9/ran/css)}</style></math>',
    '<math definitionURL="javascript:alert(1)"><mo><a href="javascript:alert(1)">a</a></mo></math>',
    # Maths moved off its box, over the page (a fake score, a covered input), as CSS position would.
    '<math><mpadded voffset="-900px" lspace="-60em" width="-1em"><mtext>Score: 3 / 3</mtext></mpadded>'
    '<mspace width="-80em"></mspace><mo lspace="-9em" rspace="-9em">+</mo></math>',
]
TEX_ATTACKS = [
    r"$\href{javascript:alert(1)}{click}$",
    r"$\text{<img/src=x/onerror=alert(1)>}$",
    r"$\text{</math><script>alert(1)</script>}$",
    r"$\style{position:fixed;top:0;background:url(http://127.0.0.1:9/x)}{y}$",
    r"$\mathrm{&#x3C;script&#x3E;}$",
    r"$\newcommand{\a}{\a}\a$",
    r"$\hspace{-50em}\kern-30em\mkern-90mu\mspace{-90mu}\text{Score: 3 / 3}$",
]
REMOVED_TAGS = {"maction", "semantics", "annotation", "annotation-xml", "mglyph", "svg", "script", "style", "img",
                "iframe", "object", "embed"}


@pytest.mark.parametrize("payload", MATHML_ATTACKS + [markdown_to_html(t) for t in TEX_ATTACKS])
def test_mathml_keeps_nothing_that_runs_links_or_loads(payload: str) -> None:
    for html in (clean(payload), clean(markdown_to_html(payload))):
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find_all(REMOVED_TAGS) == [], html
        for element in soup.find_all(True):
            for attribute, value in element.attrs.items():
                assert attribute.lower() not in {"href", "xlink:href", "src", "actiontype", "selection", "id",
                                                 "definitionurl"} or element.name == "a" and value.startswith("http")
                assert not attribute.lower().startswith(("on", "data-")), (element.name, attribute)
                assert attribute != "voffset" and not (attribute in {"width", "height", "depth", "lspace", "rspace"}
                                                       and value.strip().startswith("-")), (element.name, attribute)
            style = element.get("style", "").replace(" ", "").lower()
            assert "url(" not in style and "position" not in style, style
        assert "javascript:" not in html.lower() or "javascript:" in soup.get_text().lower(), html


def test_the_kits_maths_markup_passes_the_cleaner_unchanged() -> None:
    """What the converter writes for the course's maths is kept by the policy: same elements and attributes, but
    for the LaTeX logo's negative kerns and raised A and E (voffset), which the policy drops everywhere."""
    every = {f for path in SOURCES for cell in nbformat.read(path, as_version=4).cells
             if cell.cell_type == "markdown" for f in formulas(cell.source)}
    changed = []
    for display, tex in sorted(every):
        made = BeautifulSoup(tex_to_mathml(tex, display), "html.parser")
        kept = BeautifulSoup(clean(tex_to_mathml(tex, display)), "html.parser")
        if [(e.name, e.attrs) for e in kept.find_all(True)] != [(e.name, e.attrs) for e in made.find_all(True)]:
            changed.append(tex)
        assert kept.get_text() == made.get_text(), tex
    assert changed == [r"\LaTeX"]
