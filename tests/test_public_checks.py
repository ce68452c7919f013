"""The public checks a student sees never reject right work, and name what they received when work is wrong.

Each answer of ps1 and ps2 has a list of correct forms (ways a student may rightly write it, several of
which the public checks once rejected: ``z - logsumexp(z)``, ``exp(z - logsumexp(z))``,
``np.logaddexp.reduce``) and a list of wrong forms (the mistakes students make: the naive formula, a
reduction without ``keepdims``, an ``if`` on an array, a float64 upcast, typed numbers instead of a search).

One kernel per notebook: the release notebook, completed with the reference solutions, runs once from top
to bottom (plainly, with nbclient, not through nbgrader). Then, for each form, the names the answer cell
defines are deleted, the form runs in their place, and the answer's check cell runs again, exactly as
released. Every correct form must pass every check of its cell; every wrong form must fail at least one,
and each failed check must say what it received (a type, dtype, shape or value) or which exception the
code raised. After a wrong form, the locked cells that use the answer run too and must print a line
instead of raising. Then the reference answer is put back.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from conftest import REPO
from course_kit.instructor.samples import build_submission, read_sample


@dataclass(frozen=True)
class Form:
    answer: str  # grade_id of the answer cell
    name: str
    code: str
    correct: bool
    must_say: str = ""  # a phrase the failed check cell must print (wrong forms)
    also_check: str = ""  # another check cell to run with this form in place (e.g. the one of a caller)


def right(answer: str, name: str, code: str) -> Form:
    return Form(answer, name, code, True)


def wrong(answer: str, name: str, code: str, must_say: str = "", also_check: str = "") -> Form:
    return Form(answer, name, code, False, must_say, also_check)


PS1 = [
    right("sigmoid", "reference", "def sigmoid(z):\n    z = np.asarray(z)\n    return 1 / (1 + np.exp(-z))"),
    right("sigmoid", "no asarray, float constants", "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))"),
    right("sigmoid", "np.reciprocal", "def sigmoid(z):\n    return np.reciprocal(1 + np.exp(-np.asarray(z)))"),
    right("sigmoid", "piecewise exp(z) / (1 + exp(z)) below 0",
          "def sigmoid(z):\n    z = np.asarray(z)\n    e = np.exp(-np.abs(z))\n"
          "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))"),
    wrong("sigmoid", "sign error", "def sigmoid(z):\n    return 1 / (1 + np.exp(z))", "returned a float64 number",
          also_check="test_naive_bce"),
    wrong("sigmoid", "float64 upcast", "def sigmoid(z):\n    z = np.asarray(z, dtype=np.float64)\n"
          "    return 1 / (1 + np.exp(-z))", "returned a float64 number"),
    wrong("sigmoid", "math.exp", "import math\ndef sigmoid(z):\n    return 1 / (1 + math.exp(-z))", "raised TypeError"),
    wrong("sigmoid", "exp(z) / (1 + exp(z)): nan at 800", "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))",
          "sigmoid(800.0) returned a float64 number: nan"),
    right("naive_bce", "reference", "def naive_bce(y_true, z):\n    p = sigmoid(z)\n"
          "    return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)"),
    right("naive_bce", "minus outside", "def naive_bce(y_true, z):\n    p = sigmoid(z)\n"
          "    return -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))"),
    right("naive_bce", "log1p(-p)", "def naive_bce(y_true, z):\n    p = sigmoid(z)\n"
          "    return -y_true * np.log(p) - (1 - y_true) * np.log1p(-p)"),
    wrong("naive_bce", "the stable formula", "def naive_bce(y_true, z):\n    z = np.asarray(z)\n"
          "    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))",
          "naive_bce(0.0, 40.0) returned a float64 number: 40.0"),
    wrong("naive_bce", "p clipped", "def naive_bce(y_true, z):\n    p = np.clip(sigmoid(z), 1e-7, 1 - 1e-7)\n"
          "    return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)", "expected inf"),
    wrong("naive_bce", "labels swapped", "def naive_bce(y_true, z):\n    p = sigmoid(z)\n"
          "    return -(1 - y_true) * np.log(p) - y_true * np.log(1 - p)", "naive_bce(1.0, 1.09861"),
    wrong("naive_bce", "float64 upcast", "def naive_bce(y_true, z):\n    y = np.asarray(y_true, dtype=np.float64)\n"
          "    p = sigmoid(z)\n    return -y * np.log(p) - (1 - y) * np.log(1 - p)", "float64 array of shape (3,)"),
    wrong("naive_bce", "math module", "import math\ndef naive_bce(y_true, z):\n    p = 1 / (1 + math.exp(-z))\n"
          "    return -y_true * math.log(p) - (1 - y_true) * math.log(1 - p)", "raised TypeError"),
]

_GRID = "grid = np.arange(0, 5001) / 100\n"
_ASSIGN = ("\nfirst_inf_logit_float64 = first_inf_logit(np.float64)\n"
           "first_inf_logit_float32 = first_inf_logit(np.float32)\n")
PS1 += [
    right("first_inf_logit", "reference", _GRID + "def first_inf_logit(dtype):\n    z = grid.astype(dtype)\n"
          "    with np.errstate(divide='ignore'):\n        is_inf = np.isinf(naive_bce(0.0, z))\n"
          "    return float(grid[is_inf][0]) if is_inf.any() else float('nan')" + _ASSIGN),
    right("first_inf_logit", "returns the copy in the dtype", _GRID + "def first_inf_logit(dtype):\n"
          "    z = grid.astype(dtype)\n    return float(z[np.isinf(naive_bce(0.0, z))][0])" + _ASSIGN),
    right("first_inf_logit", "a loop", _GRID + "def first_inf_logit(dtype):\n    for v in grid:\n"
          "        if np.isinf(naive_bce(0.0, dtype(v))):\n            return float(v)\n"
          "    return float('nan')" + _ASSIGN),
    right("first_inf_logit", "argmax", _GRID + "def first_inf_logit(dtype):\n"
          "    return grid[np.argmax(np.isinf(naive_bce(0.0, grid.astype(dtype))))]" + _ASSIGN),
    wrong("first_inf_logit", "typed numbers, no search", _GRID + "first_inf_logit_float64 = 36.74\n"
          "first_inf_logit_float32 = 16.64\n", "raised NameError: name 'first_inf_logit' is not defined"),
    wrong("first_inf_logit", "float64 only", _GRID + "def first_inf_logit(dtype):\n"
          "    return float(grid[np.isinf(naive_bce(0.0, grid))][0])" + _ASSIGN,
          "first_inf_logit_float32 is 36.74"),
    wrong("first_inf_logit", "the index, not z", _GRID + "def first_inf_logit(dtype):\n"
          "    return int(np.argmax(np.isinf(naive_bce(0.0, grid.astype(dtype)))))" + _ASSIGN,
          "first_inf_logit_float64 is 3674"),
    wrong("first_inf_logit", "the last finite z", _GRID + "def first_inf_logit(dtype):\n"
          "    z = grid.astype(dtype)\n    return float(grid[np.isinf(naive_bce(0.0, z))][0] - 0.01)" + _ASSIGN,
          "still finite there"),
]

PS2 = [
    right("stable_bce", "reference", "def stable_bce(y_true, z):\n    z = np.asarray(z)\n"
          "    linear = np.where(z >= 0, z * (1 - y_true), -z * y_true)\n"
          "    return linear + np.log1p(np.exp(-np.abs(z)))"),
    right("stable_bce", "TensorFlow's form", "def stable_bce(y_true, z):\n"
          "    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))"),
    right("stable_bce", "logaddexp", "def stable_bce(y_true, z):\n    return np.logaddexp(0.0, z) - z * y_true"),
    right("stable_bce", "the seeds' masks with log(1 + .)", "def stable_bce(y_true, z):\n"
          "    y_true, z = np.broadcast_arrays(y_true, np.asarray(z))\n"
          "    loss = np.empty(z.shape, dtype=np.result_type(z, y_true, 1.0))\n    pos = z >= 0\n"
          "    loss[pos] = np.log(1 + np.exp(-z[pos])) + z[pos] - z[pos] * y_true[pos]\n"
          "    loss[~pos] = np.log(1 + np.exp(z[~pos])) - z[~pos] * y_true[~pos]\n"
          "    return loss[()] if loss.ndim == 0 else loss"),
    wrong("stable_bce", "naive", "def stable_bce(y_true, z):\n    p = 1 / (1 + np.exp(-z))\n"
          "    return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)", "raised FloatingPointError"),
    wrong("stable_bce", "np.where over both unsafe branches", "def stable_bce(y_true, z):\n    z = np.asarray(z)\n"
          "    return np.where(z >= 0, np.log1p(np.exp(-z)) + z - z * y_true, np.log1p(np.exp(z)) - z * y_true)",
          "np.where computes both of its branches"),
    wrong("stable_bce", "if on an array", "def stable_bce(y_true, z):\n    if z >= 0:\n"
          "        return z * (1 - y_true) + np.log1p(np.exp(-z))\n    return -z * y_true + np.log1p(np.exp(z))",
          "raised ValueError: The truth value"),
    wrong("stable_bce", "float64 upcast", "def stable_bce(y_true, z):\n    z = np.asarray(z, dtype=float)\n"
          "    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))", "expected dtype float32"),
    right("logsumexp", "reference", "def logsumexp(z):\n    z = np.asarray(z)\n"
          "    m = np.max(z, axis=-1, keepdims=True)\n"
          "    return np.squeeze(m, axis=-1) + np.log(np.sum(np.exp(z - m), axis=-1))"),
    right("logsumexp", "np.logaddexp.reduce", "def logsumexp(z):\n    return np.logaddexp.reduce(z, axis=-1)"),
    right("logsumexp", "max without keepdims, added back", "def logsumexp(z):\n    m = np.max(z, axis=-1)\n"
          "    return m + np.log(np.sum(np.exp(z - m[..., None]), axis=-1))"),
    right("logsumexp", "log1p of the non-maximal terms", "def logsumexp(z):\n    z = np.asarray(z)\n"
          "    m = np.max(z, axis=-1, keepdims=True)\n    s = np.sum(np.exp(z - m), axis=-1) - 1\n"
          "    return m[..., 0] + np.log1p(s)"),
    wrong("logsumexp", "naive", "def logsumexp(z):\n    return np.log(np.sum(np.exp(z), axis=-1))",
          "exponentiate only numbers <= 0"),
    wrong("logsumexp", "max without keepdims", "def logsumexp(z):\n    m = np.max(z, axis=-1)\n"
          "    return m + np.log(np.sum(np.exp(z - m), axis=-1))", "keepdims"),
    wrong("logsumexp", "keeps the reduced axis", "def logsumexp(z):\n    m = np.max(z, axis=-1, keepdims=True)\n"
          "    return m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))", "expected shape ()"),
    right("softmax", "reference", "def softmax(z):\n    z = np.asarray(z)\n"
          "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n    return e / np.sum(e, axis=-1, keepdims=True)"),
    right("softmax", "exp(z - logsumexp(z))", "def softmax(z):\n    return np.exp(z - logsumexp(z)[..., None])"),
    right("softmax", "exp(log_softmax(z))", "def softmax(z):\n    return np.exp(log_softmax(z))"),
    wrong("softmax", "naive", "def softmax(z):\n    e = np.exp(z)\n    return e / np.sum(e, axis=-1, keepdims=True)",
          "raised FloatingPointError"),
    wrong("softmax", "sum without keepdims", "def softmax(z):\n"
          "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n    return e / np.sum(e, axis=-1)", "keepdims"),
    wrong("softmax", "1 / sum exp(z_j - z_i)", "def softmax(z):\n    z = np.asarray(z)\n"
          "    return 1 / np.sum(np.exp(z[..., None, :] - z[..., :, None]), axis=-1)", "raised FloatingPointError"),
    right("log_softmax", "reference", "def log_softmax(z):\n    z = np.asarray(z)\n"
          "    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
          "    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))"),
    right("log_softmax", "z - logsumexp(z), as the docstring says",
          "def log_softmax(z):\n    return z - logsumexp(z)[..., None]"),
    right("log_softmax", "np.logaddexp.reduce",
          "def log_softmax(z):\n    return z - np.logaddexp.reduce(z, axis=-1, keepdims=True)"),
    wrong("log_softmax", "log of softmax", "def log_softmax(z):\n    return np.log(softmax(z))",
          "raised FloatingPointError: divide by zero"),
    wrong("log_softmax", "z - logsumexp(z) without keepdims", "def log_softmax(z):\n    return z - logsumexp(z)",
          "keepdims"),
    wrong("log_softmax", "np.logsumexp, which numpy does not have",
          "def log_softmax(z):\n    return z - np.logsumexp(z, axis=-1, keepdims=True)", "raised AttributeError"),
    right("sparse_cce_from_logits", "reference", "def sparse_cce_from_logits(y_true, z):\n    z = np.asarray(z)\n"
          "    return logsumexp(z) - z[np.arange(z.shape[0]), y_true]"),
    right("sparse_cce_from_logits", "-log_softmax",
          "def sparse_cce_from_logits(y_true, z):\n    return -log_softmax(z)[np.arange(len(y_true)), y_true]"),
    right("sparse_cce_from_logits", "take_along_axis", "def sparse_cce_from_logits(y_true, z):\n"
          "    picked = np.take_along_axis(z, np.asarray(y_true)[:, None], axis=-1)[:, 0]\n"
          "    return np.logaddexp.reduce(z, axis=-1) - picked"),
    wrong("sparse_cce_from_logits", "-log(softmax)", "def sparse_cce_from_logits(y_true, z):\n"
          "    return -np.log(softmax(z)[np.arange(len(y_true)), y_true])", "raised FloatingPointError"),
    wrong("sparse_cce_from_logits", "softmax applied twice", "def sparse_cce_from_logits(y_true, z):\n"
          "    p = softmax(z)\n    return logsumexp(p) - p[np.arange(len(y_true)), y_true]", "Softmax applied twice?"),
    wrong("sparse_cce_from_logits", "z[:, y] picks a square", "def sparse_cce_from_logits(y_true, z):\n"
          "    return logsumexp(z) - z[:, y_true]", "expected shape (3,)"),
]

FORMS = {"ps1_naive_loss": PS1, "ps2_stable_loss": PS2}
CHECK_CELL = {"stable_bce": "test_stable_bce", "sparse_cce_from_logits": "test_sparse_cce"}  # else test_<answer>
SAYS_WHAT_IT_GOT = re.compile(r"\b(returned|got|is)\b|raised [A-Z]\w*:")


def _cell_id(cell: NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _text(cell: NotebookNode) -> str:
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"ERROR {output.ename}: {output.evalue}")
    return "".join(parts)


def _defined_names(source: str) -> list[str]:
    """The top-level names an answer cell binds (functions, variables, imports)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


class Session:
    """The completed release notebook in one live kernel, where one answer at a time is swapped for a form."""

    def __init__(self, assignment: str, tmp_path: Path) -> None:
        (release,) = (REPO / "release" / assignment).glob("*.ipynb")
        (source,) = (REPO / "source" / assignment).glob("*.ipynb")
        reference = read_sample(REPO / "samples" / assignment / "reference.py")
        self.nb = build_submission(release, source, reference)
        self.cells = {_cell_id(c): (i, c) for i, c in enumerate(self.nb.cells) if _cell_id(c)}
        self.client = NotebookClient(self.nb, timeout=60, allow_errors=True, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})

    def run(self, grade_id: str, source: str | None = None) -> str:
        index, cell = self.cells[grade_id]
        cell = copy.deepcopy(cell)
        if source is not None:
            cell.source = source
        self.client.execute_cell(cell, index)
        return _text(cell)

    def swap(self, answer: str, source: str) -> str:
        """Forget what the answer cell defined, run `source` in its place; the output of that cell."""
        names = _defined_names(self.cells[answer][1].source)
        forget = "".join(f"globals().pop({name!r}, None)\n" for name in names)
        return self.run(answer, forget + source)


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory):
    opened: dict[str, tuple[Session, object]] = {}

    def get(assignment: str) -> Session:
        if assignment not in opened:
            session = Session(assignment, tmp_path_factory.mktemp(assignment))
            context = session.client.setup_kernel()
            context.__enter__()
            for index, cell in enumerate(session.nb.cells):
                session.client.execute_cell(cell, index)
            opened[assignment] = (session, context)
        return opened[assignment][0]

    yield get
    for _, context in opened.values():
        context.__exit__(None, None, None)


CASES = [pytest.param(a, f, id=f"{a}-{f.answer}-{'right' if f.correct else 'wrong'}-{f.name}")
         for a, forms in FORMS.items() for f in forms]


@pytest.mark.parametrize(("assignment", "form"), CASES)
def test_public_checks_on_a_form(sessions, assignment: str, form: Form):
    session = sessions(assignment)
    check = CHECK_CELL.get(form.answer, f"test_{form.answer}")
    reference_source = session.cells[form.answer][1].source
    try:
        answer_output = session.swap(form.answer, form.code)
        output = session.run(check)
        also = session.run(form.also_check) if form.also_check else ""
        uses_it = f'"{form.answer}"'
        guarded = {gid: session.run(gid) for gid, (_, cell) in session.cells.items()
                   if not form.correct and cell.cell_type == "code" and "with uses(" in cell.source
                   and uses_it in cell.source}
    finally:
        session.swap(form.answer, reference_source)
    assert "ERROR" not in answer_output or not form.correct, f"the form itself failed to run:\n{answer_output}"
    if form.correct:
        assert "NOT passed" not in output and "All public checks passed" in output, (
            f"a correct form ({form.name}) fails the public checks of {form.answer}:\n{output}"
        )
        return
    assert "NOT passed" in output, f"a wrong form ({form.name}) passes every public check of {form.answer}:\n{output}"
    lines = output.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("NOT passed"):
            detail = lines[number + 1] if number + 1 < len(lines) else ""
            assert SAYS_WHAT_IT_GOT.search(detail), f"the failed check does not say what it got:\n{line}\n{detail}"
    assert form.must_say in output, f"the report does not say {form.must_say!r}:\n{output}"
    # The check cell fails with the report's own AssertionError: no raw traceback of the student's code.
    errors = re.findall(r"^ERROR (\w+)", output, re.MULTILINE)
    assert errors == ["AssertionError"], f"the check cell ended in {errors}, not the report's AssertionError"
    if form.also_check:
        assert f"calls your {form.answer}" in also, f"the {form.also_check} report does not point back:\n{also}"
    for gid, text in guarded.items():
        assert "ERROR" not in text, f"locked cell {gid} crashed on a wrong {form.answer}:\n{text}"
