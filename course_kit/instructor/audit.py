"""The grader audit: do an assignment's hidden graders catch each mistake where it is, and pass every right answer?

    python -m course_kit.instructor.audit [ASSIGNMENT ...] [--course-dir .] [--jobs N] [--verbose]   (make audit A=...)

A course keeps, beside each assignment's graders, a corpus of *variants* of its answers:
``graders/<assignment>/audit/<variant>.py``, in the sample format (``course_kit.instructor.samples``: one
``# %% [<grade_id>]`` section per answer cell it changes, the source notebook's solution elsewhere, or the
sections of the variant named by ``# inherits:``).  Between its docstring (first line: what the variant is)
and its first section, a variant says what the graders must make of it:

    # audit: wrong                      wrong: it must lose points; right: it must keep full marks everywhere
    # loses: test_sigmoid               (wrong) the test cell(s) where its mistake is: each must lose points
    # keeps: test_naive_bce             (wrong, optional) cells that must NOT lose points; ``keeps: others``:
                                        every test cell not named in ``loses``
    # known-hole: test_sigmoid <why>    (optional) this cell's expectation is known to fail with today's graders:
                                        reported, but not a failure; remove the line once the grader is fixed
    # says: test_sparse_cce <phrase>    (wrong, optional) a failed check of this cell must say <phrase> in its
                                        message: the feedback names the cause (one line per phrase)

The audit grades every variant (and the source notebook's own solutions, as ``reference``, which must keep
full marks) with the kit's own grading path, ``grade_class`` on Dask workers, in a throwaway copy of the
course, reads each cell's score from the gradebook and its checks from the grading record (data, never
printed text), prints a matrix of variants against test cells, and exits 1 if any expectation is broken,
naming each; 2 if it cannot run (no such assignment, a malformed variant).
"""

from __future__ import annotations

import argparse
import ast
import functools
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from course_kit.config import load_course_config
from course_kit.grading.cells import autograded_tests
from course_kit.grading.results import CheckResult
from course_kit.instructor.course import Course, copy_course
from course_kit.instructor.samples import Sample, build_submission, read_sample

if TYPE_CHECKING:  # Dask is imported only when the audit grades
    from distributed.security import Security

AUDIT_FOLDER = "audit"  # graders/<assignment>/audit/
EXIT_OK, EXIT_BROKEN, EXIT_CANNOT_RUN = 0, 1, 2
OTHERS = "others"  # ``# keeps: others``: every test cell the variant's ``loses`` does not name
_HEADER = re.compile(r"^# (?P<key>audit|loses|keeps|known-hole|says): *(?P<value>.*?)[ \t]*$", re.MULTILINE)
_FULL = 1e-9  # a cell keeps full marks when it lost less than this


class AuditError(ValueError):
    """A variant file that says nothing the audit can check, or names a cell the notebook does not have."""


@dataclass
class Variant:
    name: str
    summary: str  # the docstring's first line
    right: bool
    loses: list[str] = field(default_factory=list)  # wrong: cells that must lose points
    keeps: list[str] = field(default_factory=list)  # wrong: cells that must keep full marks
    keeps_others: bool = False  # wrong: every cell not in ``loses`` must keep full marks
    known_holes: dict[str, str] = field(default_factory=dict)  # cell -> why its expectation fails today
    sample: Sample | None = None
    says: list[tuple[str, str]] = field(default_factory=list)  # wrong: (cell, phrase a failed check of it says)


@dataclass
class Cell:
    """One test cell's result for one variant: the gradebook's score and the grading record's checks."""

    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def lost(self) -> float:
        return self.max_score - self.score

    @property
    def full(self) -> bool:
        return self.lost < _FULL


@dataclass
class Broken:
    """An expectation the graders did not meet."""

    variant: str
    cell: str | None  # None: the variant as a whole (e.g. it could not be graded)
    why: str
    known_hole: str | None = None  # the variant file's ``# known-hole:`` reason, if it marked this one

    def line(self) -> str:
        where = f"{self.variant} / {self.cell}" if self.cell else self.variant
        hole = f"  [known hole: {self.known_hole}]" if self.known_hole is not None else ""
        return f"{where}: {self.why}{hole}"


def read_variant(path: Path) -> Variant:
    """A variant file's sections (``read_sample``) and its ``# audit:`` header lines."""
    header = path.read_text().split("\n# %% [", 1)[0]
    if path.stem.startswith("test_") or path.stem == "conftest":
        raise AuditError(f"{path}: a variant may not be named like a pytest file (the graders' folder holds it)")
    fields: dict[str, list[str]] = {}
    for match in _HEADER.finditer(header):
        value = match["value"].split(" #", 1)[0].strip()  # a line may end with a comment of its own
        fields.setdefault(match["key"], []).append(value)
    verdict = fields.get("audit", [""])
    if verdict not in (["right"], ["wrong"]):
        raise AuditError(f"{path}: needs exactly one line `# audit: right` or `# audit: wrong`")
    loses = [cell for line in fields.get("loses", []) for cell in line.split()]
    keeps = [cell for line in fields.get("keeps", []) for cell in line.split()]
    holes = {}
    for line in fields.get("known-hole", []):
        cell, _, why = line.partition(" ")
        holes[cell] = why.strip() or "(no reason given)"
    says = []
    for line in fields.get("says", []):
        cell, _, phrase = line.partition(" ")
        if not phrase.strip():
            raise AuditError(f"{path}: `# says: {line}` needs a test cell and the phrase its message must contain")
        says.append((cell, phrase.strip()))
    right = verdict == ["right"]
    if right and (loses or keeps or says):
        raise AuditError(f"{path}: a right variant keeps full marks everywhere; `loses:`/`keeps:`/`says:` are for "
                         "wrong ones")
    if not right and not loses:
        raise AuditError(f"{path}: a wrong variant must say where its mistake is: `# loses: <test cell> ...`")
    doc = ast.get_docstring(ast.parse(header)) or ""
    if not doc.strip():
        raise AuditError(f"{path}: its docstring must say what the variant is")
    return Variant(path.stem, doc.strip().splitlines()[0], right, loses,
                   [c for c in keeps if c != OTHERS], OTHERS in keeps, holes, read_sample(path), says)


REFERENCE = Variant("reference", "The source notebook's own solutions.", right=True,
                    sample=Sample("reference", "The source notebook's own solutions.", {}, "reference"))


def read_corpus(course_dir: Path, assignment: str) -> list[Variant]:
    """The assignment's variants, the reference first; each checked against the notebook's test cells."""
    folder = course_dir / "graders" / assignment / AUDIT_FOLDER
    variants = [REFERENCE] + [read_variant(path) for path in sorted(folder.glob("*.py"))]
    cells = set(test_cells(course_dir, assignment))
    for variant in variants:
        named = set(variant.loses) | set(variant.keeps) | set(variant.known_holes) | {c for c, _ in variant.says}
        if named - cells:
            raise AuditError(f"{folder / variant.name}.py names {sorted(named - cells)}, not test cells of "
                             f"{assignment} ({', '.join(sorted(cells))})")
        if set(variant.loses) & set(variant.keeps):
            raise AuditError(f"{folder / variant.name}.py: {sorted(set(variant.loses) & set(variant.keeps))} "
                             "both loses and keeps")
    return variants


def test_cells(course_dir: Path, assignment: str) -> list[str]:
    """The grade_ids of the autograded test cells, in notebook order."""
    cells = []
    for notebook in sorted((course_dir / "source" / assignment).glob("*.ipynb")):
        tests = autograded_tests(nbformat.read(notebook, as_version=4))
        cells += [cell.metadata.nbgrader["grade_id"] for cell in tests]
    return cells


def judge(variant: Variant, cells: dict[str, Cell] | None, problems: list[str] = ()) -> list[Broken]:
    """Every expectation of ``variant`` that its graded ``cells`` break (None: it could not be graded)."""
    if cells is None:
        why = "could not be graded" + (f": {'; '.join(problems)}" if problems else "")
        return [Broken(variant.name, None, why)]
    broken = []
    for name, cell in cells.items():
        if variant.right or name in variant.keeps or (variant.keeps_others and name not in variant.loses):
            if not cell.full:
                what = "a right answer" if variant.right else "no mistake there"
                broken.append(Broken(variant.name, name, f"lost {cell.lost:g} of {cell.max_score:g} with {what}: "
                                     f"{_failed(cell)}", variant.known_holes.get(name)))
        elif name in variant.loses and cell.full:
            broken.append(Broken(variant.name, name, f"kept full marks ({cell.max_score:g}): the mistake goes unseen",
                                 variant.known_holes.get(name)))
    for name, phrase in variant.says:
        cell = cells.get(name)
        if cell is not None and not any(phrase in c.message for c in cell.checks if not c.passed):
            broken.append(Broken(variant.name, name, f"no failed check says {phrase!r}"
                                 + (f": {_failed(cell)}" if not cell.full else " (no check failed)"),
                                 variant.known_holes.get(name)))
    broken += [Broken(variant.name, name, "no such test cell in the graded notebook")
               for name in dict.fromkeys(variant.loses + variant.keeps + [c for c, _ in variant.says])
               if name not in cells]
    return broken


def _failed(cell: Cell) -> str:
    failed = [check for check in cell.checks if not check.passed]
    if not failed:
        return "no failed check recorded"
    first = failed[0]
    detail = first.message.splitlines()[0] if first.message else ""
    more = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
    return f"{first.name}" + (f": {detail}" if detail else "") + more


@dataclass
class AssignmentAudit:
    assignment: str
    cells: list[str]  # test cells, notebook order: the matrix's columns
    variants: list[Variant]
    graded: dict[str, dict[str, Cell] | None]  # variant -> its cells (None: not graded)
    problems: dict[str, list[str]]  # variant -> what grade_class says needs a look
    seconds: float = 0.0

    @property
    def broken(self) -> list[Broken]:
        empty = [] if any(v is not REFERENCE for v in self.variants) else [
            Broken(self.assignment, None, f"graders/{self.assignment}/{AUDIT_FOLDER}/ holds no variants")]
        return empty + [b for v in self.variants
                        for b in judge(v, self.graded.get(v.name), self.problems.get(v.name, []))]

    @property
    def failures(self) -> list[Broken]:
        """Broken expectations that no ``# known-hole:`` line excuses: the audit fails on these."""
        return [b for b in self.broken if b.known_hole is None]

    @property
    def closed_holes(self) -> list[tuple[str, str]]:
        """(variant, cell) marked as a known hole whose expectation now holds: the mark should go."""
        open_ = {(b.variant, b.cell) for b in self.broken}
        return [(v.name, cell) for v in self.variants for cell in v.known_holes if (v.name, cell) not in open_]


def grade_variants(course: Course, assignment: str, variants: list[Variant], jobs: int | None = None,
                   scheduler: str | None = None, security: Security | None = None,
                   ) -> tuple[dict[str, dict[str, Cell] | None], dict[str, list[str]]]:
    """Submit each variant as a student of its name, grade them all with ``grade_class``; their cells.
    ``scheduler``, ``security``: a TLS cluster to grade on and this client's credentials for it."""
    from course_kit.instructor.grade_class import grade_class

    course.release(assignment)
    release, source = course.release_notebook(assignment), course.source_notebook(assignment)
    for variant in variants:
        course.submit(variant.name, assignment, {release.name: build_submission(release, source, variant.sample)})
    course.collect(assignment)
    results = grade_class(course, assignment, [v.name for v in variants], force=True, echo=_quiet, jobs=jobs,
                          scheduler=scheduler, security=security)
    graded: dict[str, dict[str, Cell] | None] = {}
    for result in results:
        graded[result.student] = None if result.score is None else {
            c.grade_id: Cell(c.score, c.max_score, c.checks) for c in course.cell_results(assignment, result.student)
        }
    return graded, {r.student: r.problems for r in results}


def throwaway_copy(repo: Path, dest: Path, assignment: str) -> Path:
    """A copy of the course with one assignment, grading into a gradebook and exchange of its own.

    The course's settings are loaded first, then these: an instructor's ``GRADEBOOK_URL`` or ``local_config.py``
    must never receive the variants as students, nor a shared exchange their submissions.
    """
    copy = copy_course(repo, dest, [assignment])
    with (copy / "nbgrader_config.py").open("a") as config:
        config.write("\n# The grader audit's throwaway copy: its own gradebook and exchange, never the course's.\n"
                     f"c.CourseDirectory.db_url = {'sqlite:///' + str(copy / 'gradebook.db')!r}\n"
                     f"c.Exchange.root = {str(copy / 'exchange')!r}\n"
                     "c.Exchange.path_includes_course = True  # the layout Course.submit writes\n")
    return copy


def _quiet(line: str) -> None:
    """The audit prints its matrix, not grade_class's line per student."""


def audit(repo: Path, assignment: str, work_dir: Path, jobs: int | None = None,
          scheduler: str | None = None, security: Security | None = None) -> AssignmentAudit:
    """Grade ``assignment``'s corpus in a throwaway copy of the course at ``work_dir``."""
    started = time.perf_counter()
    variants = read_corpus(repo, assignment)
    course = Course(throwaway_copy(repo, work_dir / assignment, assignment))
    graded, problems = grade_variants(course, assignment, variants, jobs, scheduler, security)
    return AssignmentAudit(assignment, test_cells(repo, assignment), variants, graded, problems,
                           time.perf_counter() - started)


def matrix(result: AssignmentAudit, verbose: bool = False) -> str:
    """Variants against test cells: ``full`` or the points lost; ``!`` a broken expectation, ``~`` a known hole;
    ``*`` marks a cell where a wrong variant's mistake is (``loses:``)."""
    broken = {(b.variant, b.cell): b for b in result.broken}
    names = [v.name for v in result.variants]
    width = max(len(n) for n in names + ["variant"]) + 2
    columns = [max(len(c), 11) + 2 for c in result.cells]
    heads = "".join(c.ljust(w) for c, w in zip(result.cells, columns, strict=True))
    lines = ["variant".ljust(width) + "kind   " + heads]
    for variant in result.variants:
        cells = result.graded.get(variant.name)
        row = variant.name.ljust(width) + ("right  " if variant.right else "wrong  ")
        if cells is None:
            lines.append(row + "NOT GRADED !")
            continue
        for name, w in zip(result.cells, columns, strict=True):
            cell = cells.get(name)
            text = "-" if cell is None else "full" if cell.full else f"-{cell.lost:g}/{cell.max_score:g}"
            text = ("*" if name in variant.loses else " ") + text
            b = broken.get((variant.name, name))
            text += "" if b is None else " ~" if b.known_hole is not None else " !"
            row += text.ljust(w)
        lines.append(row.rstrip())
        if verbose:
            for name in result.cells:
                cell = cells.get(name)
                lines += [f"{'':{width}}  {name}: FAILED {c.name}" for c in (cell.checks if cell else [])
                          if not c.passed]
    lines.append("(full: full marks; -x/y: x of y points lost; * where the variant's mistake is; "
                 "! expectation broken; ~ known hole)")
    return "\n".join(lines)


def report(result: AssignmentAudit, verbose: bool = False, echo: Callable[[str], None] | None = None) -> int:
    """Print one assignment's matrix and verdict; its exit status."""
    echo = echo or functools.partial(print, flush=True)  # each assignment's matrix as soon as it is graded
    right = sum(v.right for v in result.variants)
    echo(f"\n== {result.assignment}: {len(result.variants)} variants ({right} right, {len(result.variants) - right} "
         f"wrong), graded in {result.seconds:.0f} s")
    echo(matrix(result, verbose))
    for b in result.failures:
        echo(f"BROKEN  {b.line()}")
    for b in result.broken:
        if b.known_hole is not None:
            echo(f"KNOWN   {b.line()}")
    for variant, cell in result.closed_holes:
        echo(f"FIXED   {variant} / {cell}: marked `# known-hole:` but now as expected: remove the mark")
    verdict = "FAILS" if result.failures else "passes"
    echo(f"{result.assignment}: the audit {verdict} ({len(result.failures)} broken, "
         f"{len(result.broken) - len(result.failures)} known holes)")
    return EXIT_BROKEN if result.failures else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader 0.9.6 under SQLAlchemy 2
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="assignments to audit (default: every one in source/)")
    parser.add_argument("--course-dir", type=Path, default=Path("."), help="the course root (default: .)")
    parser.add_argument("--work-dir", type=Path, help="where the throwaway course copy goes (default: a temp dir)")
    parser.add_argument("--jobs", type=int, help="Dask worker processes (default: one per core, within memory)")
    parser.add_argument("--scheduler", help="grade on this running TLS Dask cluster (tls://host:8786)")
    parser.add_argument("--tls-dir", type=Path, help="with --scheduler: the folder of this client's ca.pem, cert.pem "
                                                     "and key.pem (default: Dask's distributed.comm.tls.* settings)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every failed check under its variant")
    args = parser.parse_args(argv)
    from course_kit.parallel.cluster import dask_client, worker_count
    from course_kit.parallel.cluster_security import InsecureCluster, standing_security

    repo = args.course_dir.resolve()
    known = sorted(p.name for p in (repo / "source").iterdir() if p.is_dir())
    wanted = args.assignments or known
    unknown = [a for a in wanted if a not in known]
    if unknown:
        print(f"no such assignment: {', '.join(unknown)}; this course has {', '.join(known)}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    try:
        for assignment in wanted:
            read_corpus(repo, assignment)
    except (AuditError, ValueError, OSError) as error:
        print(f"cannot audit: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    from course_kit.instructor.grade_class import CannotGrade

    status = EXIT_OK
    with tempfile.TemporaryDirectory(prefix="course-kit-audit-", dir=args.work_dir) as scratch:
        config = load_course_config(repo)
        try:  # a cluster without TLS is never connected to
            security = standing_security(args.scheduler, args.tls_dir) if args.scheduler else None
        except InsecureCluster as error:
            print(f"cannot audit: {error}", file=sys.stderr)
            return EXIT_CANNOT_RUN
        with dask_client(worker_count(config, args.jobs), args.scheduler, security) as client:
            for assignment in wanted:
                try:
                    result = audit(repo, assignment, Path(scratch), scheduler=client.scheduler.address,
                                   security=client.security)
                except CannotGrade as error:  # e.g. no bubblewrap: no variant can be graded
                    print(f"cannot audit {assignment}: {error}", file=sys.stderr)
                    return EXIT_CANNOT_RUN
                status = max(status, report(result, args.verbose))
    return status


if __name__ == "__main__":
    sys.exit(main())
