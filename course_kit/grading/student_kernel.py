"""The one door between a grader and a submission: calls that return data only.

The submission's code lives in the Jupyter kernel that executed its notebook.
A grader never imports it and never receives one of its objects.  To call a
student function, ``StudentKernel`` writes the arguments as ``.npy`` files
(``CallFiles`` guards that exchange folder against a hostile kernel),
runs a short snippet in that kernel which loads them, calls the function
and saves the result with ``numpy.save(..., allow_pickle=False)``, and reads
the file back in the grader's own process with ``allow_pickle=False``.  What
comes back is therefore a plain array of numbers (or JSON), never an object
with a patched ``__eq__``, and every comparison runs in the grader's process,
where the submission cannot have patched ``numpy`` or ``pytest``.

A submission can still refuse to answer, answer wrongly, or block the snippet
(e.g. with an input transformer): all of these surface as ``StudentCodeError``
and cost the student that check, nothing more.

A check that tries one function on several inputs can ask for them all at once
(``call_many``): one snippet, one round trip to the kernel (~5 ms each), one
answer file per set of arguments.  Each set is its own try in the kernel, and
its outcome comes back as the answer or the error its own ``call`` would have
given; ``in_order`` hands them to a loop that raises where a loop of calls would.

What the kernel says back in words (an exception's message, a dtype) reaches a check's message,
and so the student's feedback, only as a short excerpt (``course_kit.grading.excerpt``): student
code sees every hidden input it is called with, and an exception is a way to write them out.

Recognising a grader's call.  The snippets name nothing the same way twice: their variables get
fresh random names per call (``secrets.token_hex``), deleted when the call ends; the call files
are named by a random token in a folder of a random name.  So no fixed name (once ``__ck_np``)
tells a grader's call from the notebook's own checks, and a submission copied from one that
looked for it finds nothing.  A determined student can still tell: the graders call after the
notebook's last cell has run, from a cell that is not in the history (``store_history=False``),
with arguments loaded from ``.npy`` files by a snippet that the call stack shows; none of that
can be hidden, and public checks in a notebook the student edits cannot be made to look the same.
It is not meant to be a secret.  What protects the hidden inputs is that little leaves (the
excerpts) and that what leaves is worth nothing to anyone else: the graders' random inputs are
drawn per student (``course_kit.grading.hidden_seeds``).
"""

from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode

from course_kit.grading.call_files import AnswerTooLarge, CallFiles
from course_kit.grading.excerpt import excerpt
from course_kit.grading.stopped import Stopped

# Runs source code in the submission's kernel and returns the outputs it produced.
RunCode = Callable[[str], Sequence[NotebookNode]]

MAX_TIMEOUTS = 2  # after this many calls time out, the rest fail at once instead of each waiting
TIMEOUT_ERRORS = {"CellTimeoutError", "KeyboardInterrupt"}  # nbgrader's and nbclient's interrupted call


class StudentCodeError(Exception):
    """The submission did not produce a usable answer for one call."""


@dataclass(frozen=True)
class KernelName:
    """An argument that names an object living in the kernel (e.g. a trained model)."""

    name: str


class StudentKernel:
    def __init__(self, run_code: RunCode, scratch_parent: Path | None = None) -> None:
        """``scratch_parent`` must be a folder the kernel can read and write (under confinement: its cwd)."""
        self._run_code = run_code
        self._files = CallFiles(scratch_parent)
        self._timeouts = 0
        self._stopped = ""

    @property
    def answers_in_time(self) -> bool:
        """No call has timed out and the kernel is not stopped: an optional extra call (a grader's figure)
        should be tried only then, so that it cannot use up the timeouts the checks are allowed."""
        return not self._stopped and self._timeouts == 0

    def ref(self, name: str) -> KernelName:
        """Pass the kernel's own object ``name`` as an argument to ``call``."""
        return KernelName(name)

    def call(self, function: str, *args: Any, fp_errors: str | None = None, what: str | None = None) -> np.ndarray:
        """``function(*args)`` evaluated in the kernel, returned as a numeric ndarray.

        ``fp_errors="raise"`` runs the call under ``numpy.errstate(over, invalid,
        divide = "raise")`` so that any overflow, 0/0 or log(0) inside the
        student's function becomes a ``FloatingPointError``.  Underflow is left
        alone: stable formulas underflow on purpose.  ``what`` names the call in
        messages (default ``function(...)``).
        """
        call = self._files.new_call()
        np_, result = _fresh_names(2)
        arg_code = [self._argument_code(arg, f"{call}-{i}.npy", np_) for i, arg in enumerate(args)]
        out = self._files.answer_file(f"{call}.npy")
        body = f"{result} = {function}({', '.join(arg_code)})"
        if fp_errors is not None:
            body = (
                f"with {np_}.errstate(over={fp_errors!r}, invalid={fp_errors!r}, divide={fp_errors!r}):\n"
                f"        {body}"
            )
        what = what or f"{function}(...)"
        self._run(
            f"import numpy as {np_}\n"
            "try:\n"
            f"    {body}\n"
            f"    {np_}.save({out!r}, {np_}.asarray({result}), allow_pickle=False)\n"
            f"finally:\n    {_forget(np_, result)}\n",
            what,
            function,
        )
        return _numbers(self._answer(f"{call}.npy", what), what)

    def call_many(
        self, function: str, arg_sets: Iterable[Sequence[Any]], fp_errors: str | None = None, what: str | None = None,
    ) -> list[np.ndarray | StudentCodeError]:
        """``function(*args)`` for each ``args`` of ``arg_sets``, in order, in one kernel call instead of one each.

        Each set's entry is what ``call`` would have returned for it, or the ``StudentCodeError`` it would have
        raised: a set that raises or returns no numbers costs that set only.  ``fp_errors`` and ``what`` apply to
        every set.  The batch is one call of the kernel: it has one call's timeout and counts once toward
        ``MAX_TIMEOUTS``.  Cut off (a timeout, a stopped or dead kernel), the sets that finished keep their
        answers, the one that was running gets the call's error, and the later ones were not tried.
        """
        what = what or f"{function}(...)"
        sets = [tuple(args) for args in arg_sets]
        if (refusal := self._refusal(what)) is not None:
            return [StudentCodeError(str(refusal)) for _ in sets]
        call = self._files.new_call()
        done = self._files.answer_file(f"{call}.jsonl")
        names = _BatchNames(*_fresh_names(len(_BatchNames._fields)))
        calls = []
        for s, args in enumerate(sets):
            arg_code = [self._argument_code(arg, f"{call}-{s}-{i}.npy", names.np) for i, arg in enumerate(args)]
            calls.append((self._files.answer_file(f"{call}-{s}.npy"), f"{function}({', '.join(arg_code)})"))
        try:
            cut_off = self._error_in(self._outputs(_batch_source(calls, done, fp_errors, names), what), what,
                                     function)
        except StudentCodeError as error:  # the kernel stopped or died during the batch
            cut_off = error
        finished = self._finished_sets(f"{call}.jsonl", len(sets))
        answers: list[np.ndarray | StudentCodeError] = []
        for s, outcome in enumerate(finished):
            answers.append(self._set_answer(outcome, f"{call}-{s}.npy", what, function))
        if len(answers) < len(sets):
            answers.append(cut_off or StudentCodeError(f"{what}: no result came back from the kernel "
                                                       "(the call did not run to its end)"))
        while len(answers) < len(sets):
            answers.append(StudentCodeError(f"{what}: not tried, the call ended at an earlier set of arguments"))
        return answers

    def value(self, name: str) -> np.ndarray:
        """The notebook's top-level variable ``name``, as a numeric ndarray."""
        call = self._files.new_call()
        out = self._files.answer_file(f"{call}.npy")
        (np_,) = _fresh_names(1)
        save = f"{np_}.save({out!r}, {np_}.asarray({name}), allow_pickle=False)"
        self._run(f"import numpy as {np_}\ntry:\n    {save}\nfinally:\n    {_forget(np_)}\n", name, name)
        return _numbers(self._answer(f"{call}.npy", name), name)

    def json(self, expression: str, what: str | None = None) -> Any:
        """The JSON-serialisable value of ``expression`` evaluated in the kernel (``what`` names it in messages)."""
        what = what or expression
        call = self._files.new_call()
        out = self._files.answer_file(f"{call}.json")
        json_, file = _fresh_names(2)
        self._run(
            f"import json as {json_}\n"
            f"try:\n    with open({out!r}, 'w') as {file}:\n        {json_}.dump({expression}, {file})\n"
            f"finally:\n    {_forget(json_, file)}\n",
            what,
            expression,
        )
        try:
            return json.loads(self._answer(f"{call}.json", what))
        except (ValueError, RecursionError) as error:
            raise StudentCodeError(excerpt(f"{what} did not come back as JSON ({error})")) from None

    def close(self) -> None:
        self._files.close()

    # -- internals -----------------------------------------------------------

    def _argument_code(self, arg: Any, name: str, numpy_name: str) -> str:
        """The expression that gives the kernel ``arg``: a kernel name, or the load of the file written for it."""
        if isinstance(arg, KernelName):
            return arg.name
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(arg), allow_pickle=False)
        self._files.write(name, buffer.getvalue())
        # [()] turns a 0-d array into a numpy scalar and leaves other arrays as they are.
        return f"{numpy_name}.load({self._files.kernel_path(name)!r}, allow_pickle=False)[()]"

    def _answer(self, name: str, what: str) -> bytes:
        try:
            data = self._files.read_answer(name)
        except AnswerTooLarge as error:
            raise StudentCodeError(f"{what}: {error}") from None
        if data is None:
            raise StudentCodeError(f"{what}: no result came back from the kernel (the call did not run to its end)")
        return data

    def _run(self, source: str, what: str, source_of: str) -> None:
        """Run ``source``; ``source_of`` is the function, variable or expression the grader asked for."""
        if (refusal := self._refusal(what)) is not None:
            raise refusal
        error = self._error_in(self._outputs(source, what), what, source_of)
        if error is not None:
            raise error

    def _refusal(self, what: str) -> StudentCodeError | None:
        """Why a call is not even tried (a stopped kernel, too many timeouts), or None."""
        if self._stopped:
            return StudentCodeError(f"{what}: not tried, {self._stopped}")
        if self._timeouts >= MAX_TIMEOUTS:
            return StudentCodeError(f"{what}: not tried, earlier calls did not finish in time")
        return None

    def _outputs(self, source: str, what: str) -> Sequence[NotebookNode]:
        """The outputs of ``source`` run in the kernel; StudentCodeError if the kernel died or was stopped."""
        try:
            return self._run_code(source)
        except DeadKernelError:
            self._stopped = "the kernel died during an earlier call (a crash, or a resource limit)"
            raise StudentCodeError(f"{what}: the kernel died during this call (a crash, or a resource limit)") from None
        except Stopped as stop:
            self._stopped = str(stop)
            raise StudentCodeError(f"{what}: {stop}") from None

    def _error_in(self, outputs: Sequence[NotebookNode], what: str, source_of: str) -> StudentCodeError | None:
        """The error the first error output means for this call (a timeout counts toward MAX_TIMEOUTS), or None."""
        for output in outputs:
            if output.get("output_type") != "error":
                continue
            if output.get("ename") in TIMEOUT_ERRORS:
                # An interrupted kernel may still be stuck: after a few, stop waiting on it.
                self._timeouts += 1
                return StudentCodeError(f"{what} did not finish in time (an endless loop, or far too slow)")
            return StudentCodeError(_explain_error(what, _first_name(source_of), output.get("ename", ""),
                                                   output.get("evalue", "")))
        return None

    def _finished_sets(self, name: str, count: int) -> list[Any]:
        """The kernel's line for each set it finished, in order: null (answer saved) or [ename, evalue].

        A line cut short (the kernel interrupted while writing it) is not a finished set.
        """
        try:
            data = self._files.read_answer(name) or b""
        except AnswerTooLarge:
            data = b""
        lines = data.decode("utf-8", errors="replace").split("\n")[:-1]  # the last piece has no newline yet
        finished = []
        for line in lines[:count]:
            try:
                finished.append(json.loads(line))
            except (ValueError, RecursionError):  # not a line the snippet wrote
                finished.append("unreadable")
        return finished

    def _set_answer(self, outcome: Any, name: str, what: str, function: str) -> np.ndarray | StudentCodeError:
        if outcome is None:
            try:
                return _numbers(self._answer(name, what), what)
            except StudentCodeError as error:
                return error
        if isinstance(outcome, list) and len(outcome) == 2 and all(isinstance(part, str) for part in outcome):
            ename, evalue = outcome
            return StudentCodeError(_explain_error(what, _first_name(function), ename, evalue))
        return StudentCodeError(f"{what}: no usable result came back from the kernel")


def in_order(answers: Iterable[np.ndarray | StudentCodeError]) -> Iterator[np.ndarray]:
    """``call_many``'s answers one by one, raising a set's StudentCodeError when its turn comes: a check that
    loops over them fails where, and with the message with which, a loop of ``call``s would have failed."""
    for answer in answers:
        if isinstance(answer, StudentCodeError):
            raise answer
        yield answer


class _BatchNames(NamedTuple):
    """The names a ``call_many`` snippet binds in the kernel's namespace while it runs (fresh random ones)."""

    json: str
    np: str
    done: str
    out: str
    call: str
    line: str
    result: str
    error: str


def _fresh_names(count: int) -> list[str]:
    """``count`` identifiers no notebook uses and no two calls share: what a snippet binds while it runs."""
    return [f"_{secrets.token_hex(6)}" for _ in range(count)]


def _forget(*names: str) -> str:
    """A statement that unbinds ``names`` from the kernel's namespace, bound or not (a call may end half way)."""
    return "; ".join(f"globals().pop({name!r}, None)" for name in names)


def _batch_source(calls: list[tuple[str, str]], done: str, fp_errors: str | None, n: _BatchNames) -> str:
    """The snippet of ``call_many``: each (answer file, call expression) in its own try, one line per set in ``done``.

    Only ``Exception`` is caught: an interrupt (a timeout) or ``SystemExit`` ends the batch, as it ends a call.
    """
    call = f"{n.result} = {n.call}()"
    if fp_errors is not None:
        call = (f"with {n.np}.errstate(over={fp_errors!r}, invalid={fp_errors!r}, divide={fp_errors!r}):\n"
                f"                    {call}")
    sets = "".join(f"            ({out!r}, lambda: {expression}),\n" for out, expression in calls)
    return (
        f"import json as {n.json}\n"
        f"import numpy as {n.np}\n"
        "try:\n"
        f"    with open({done!r}, 'w') as {n.done}:\n"
        f"        for {n.out}, {n.call} in [\n"
        f"{sets}"
        "        ]:\n"
        "            try:\n"
        f"                {call}\n"
        f"                {n.np}.save({n.out}, {n.np}.asarray({n.result}), allow_pickle=False)\n"
        f"                {n.line} = None\n"
        f"            except Exception as {n.error}:\n"
        f"                {n.line} = [type({n.error}).__name__, str({n.error})]\n"
        f"            {n.result} = None\n"
        f"            {n.done}.write({n.json}.dumps({n.line}) + '\\n')\n"
        f"            {n.done}.flush()\n"
        f"finally:\n    {_forget(*n)}\n"
    )


def _first_name(code: str) -> str:
    match = re.match(r"\s*([A-Za-z_]\w*)", code)
    return match[1] if match else ""


def _numbers(data: bytes, what: str) -> np.ndarray:
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:  # the message may quote the file's header, which the kernel wrote
        raise StudentCodeError(f"{what} did not return an array of numbers ({excerpt(str(error))})") from None
    if array.dtype.kind not in "fiub":  # real numbers only: object, complex, strings are refused
        # A structured dtype's field names are the kernel's words too.
        raise StudentCodeError(f"{what} returned an array of dtype {excerpt(str(array.dtype))}, not real numbers")
    return array


def _explain_error(what: str, asks_for: str, ename: str, evalue: str) -> str:
    """What an error the kernel reported means for the call, with the kernel's words (name, message) excerpted."""
    # "Not defined" is about the notebook only if the missing name is the one the grader asked for,
    # not a name used inside the student's function.
    if ename == "NameError" and evalue == f"name '{asks_for}' is not defined":
        return f"{what}: the notebook does not define {asks_for}"
    if ename == "ValueError" and "allow_pickle" in evalue:
        return f"{what} returned something that is not an array of numbers (objects cannot be graded)"
    return f"{what} raised {excerpt(ename, 100)}: {excerpt(evalue)}"
