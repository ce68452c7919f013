"""Bound what a notebook's outputs can cost the grader, while the notebook runs.

nbclient keeps every output of every cell in the grader's memory until the
notebook is written.  A notebook that displays 16 outputs of 50 MB of HTML, or
raises an exception whose message is 50 MB, made a 944 MB graded notebook and
a 4.8 GB grader.  ``OutputBudget.admit`` sees each message from the kernel
before nbclient stores it and

- cuts every string of one output (stream text, any MIME type's data, an
  exception's ``evalue`` and traceback) to ``max_output_chars``: text keeps its
  head and tail, data that cannot be cut (an image, JSON) is replaced by a
  note;
- once the notebook's outputs reach ``max_notebook_chars``, keeps each later
  output only as a short note, one per cell and kind, so a flood costs nothing
  more; an error keeps its name and a short message, a stream its name
  (nbgrader scores a test cell with an error or stderr as 0: that must hold);
- counts widget (comm) messages against the same budget, because nbclient keeps
  every widget's state (``NotebookClient.widget_state``, ``widget_buffers``) and
  writes it into the notebook's metadata: a message larger than one output, or
  any once the notebook's budget is spent, is dropped before nbclient sees it,
  and the cell gets a one-line note, once.  1,500 messages of 190 KB each (4 s
  of kernel time) made a 1.55 GiB grader and a 285 MB graded notebook; a widget
  of honest size (a slider, a progress bar) is kept and works as before.

A single message still arrives whole before it can be cut: its size is
bounded by the kernel's own memory cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nbformat.v4 import new_output

MAX_OUTPUT_CHARS = 200_000
MAX_NOTEBOOK_CHARS = 5_000_000
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "update_display_data", "error"}
NOTE = "[output cut by the grader: {why}]"
SHORT_EVALUE = 1000


def size(value: Any) -> int:
    """Characters in a message field (strings, nested in lists and dicts)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(k)) + size(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(size(v) for v in value)
    return len(str(value))


def cut_text(text: str, limit: int) -> str:
    """``text`` if it is at most ``limit`` characters; else its head and tail around a note of how much was cut,
    at most ``limit`` characters in all (the note's room is taken from the text kept: a text one character over
    the cap must not come back longer than it was, nor go uncounted as cut)."""
    if len(text) <= limit:
        return text
    room = limit - len(NOTE.format(why=f"{len(text)} characters")) - 2  # the note at its longest, and its newlines
    half = max(room // 2, 0)
    return f"{text[:half]}\n{NOTE.format(why=f'{len(text) - 2 * half} characters')}\n{text[len(text) - half:]}"


@dataclass
class OutputBudget:
    max_output_chars: int
    max_notebook_chars: int
    used: int = 0
    cut: int = 0  # outputs cut or replaced by a note: the instructor hears of it
    comms_dropped: int = 0  # widget (comm) messages dropped: the instructor hears of it too

    def admit(self, msg: dict[str, Any], outputs: list[dict[str, Any]]) -> bool:
        """Cut ``msg``'s content in place to the budget; False when it is to be dropped altogether.

        ``outputs`` are the outputs the message's cell already has (to write a flood's note once).
        """
        kind = msg["msg_type"]
        if kind.startswith("comm"):
            return self._admit_comm(msg, outputs)
        if kind not in OUTPUT_TYPES:
            return True
        content = msg["content"]
        before = size(content)
        if self.used >= self.max_notebook_chars:
            admitted = self._note_only(kind, content, outputs)
        else:
            self._cut(kind, content)
            admitted = True
        after = size(content) if admitted else 0
        self.cut += after < before
        self.used += after
        return admitted

    def _admit_comm(self, msg: dict[str, Any], outputs: list[dict[str, Any]]) -> bool:
        """A comm message costs what it carries, buffers included; it is kept whole or not at all (a widget's
        state cut in half is garbage), and a dropped one leaves its cell one note on stdout (not stderr, which
        would fail a test cell of an ordinary assignment)."""
        cost = size(msg["content"]) + sum(len(b) for b in msg.get("buffers") or [])
        if cost <= self.max_output_chars and self.used < self.max_notebook_chars:
            self.used += cost
            return True
        self.comms_dropped += 1
        note = NOTE.format(why="widget (comm) messages dropped, past the output budget")
        if not any(note in str(o.get("text", "")) for o in outputs):
            outputs.append(new_output("stream", name="stdout", text=note + "\n"))
            self.used += len(note) + 1
        return False

    def _cut(self, kind: str, content: dict[str, Any]) -> None:
        limit = self.max_output_chars
        if kind == "stream":
            content["text"] = cut_text(str(content.get("text", "")), limit)
        elif kind == "error":
            content["evalue"] = cut_text(str(content.get("evalue", "")), limit)
            lines, kept = [], 0
            for line in content.get("traceback") or []:
                lines.append(cut_text(str(line), max(limit - kept, SHORT_EVALUE)))
                kept += len(lines[-1])
                if kept >= limit:
                    lines.append(NOTE.format(why="a long traceback"))
                    break
            content["traceback"] = lines
        else:
            data = content.get("data") or {}
            for mime in list(data):
                if size(data[mime]) <= limit:
                    continue
                if mime.startswith("text/") and isinstance(data[mime], str):
                    data[mime] = cut_text(data[mime], limit)
                else:  # an image or JSON cut in half is garbage: say what was there instead
                    dropped = size(data.pop(mime))
                    data.setdefault("text/plain", NOTE.format(why=f"{mime} of {dropped} characters"))
            if size(content.get("metadata") or {}) > limit:
                content["metadata"] = {}

    def _note_only(self, kind: str, content: dict[str, Any], outputs: list[dict[str, Any]]) -> bool:
        note = NOTE.format(why=f"the notebook's outputs passed {self.max_notebook_chars} characters")
        if kind == "error":  # an error must still count as one
            content["evalue"] = cut_text(str(content.get("evalue", "")), SHORT_EVALUE)
            content["traceback"] = [note]
            return True
        name = content.get("name")
        if any(note in str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
               and o.get("name") == name for o in outputs):
            return False
        if kind == "stream":
            content["text"] = note + "\n"
        else:
            content["data"], content["metadata"] = {"text/plain": note}, {}
        return True


class BudgetedOutputs:
    """Mixin for an nbclient ``NotebookClient``: every kernel message passes ``self.output_budget`` first."""

    output_budget: OutputBudget

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        if not self.output_budget.admit(msg, cell.outputs):
            return None
        return super().process_message(msg, cell, cell_index)  # type: ignore[misc]
