"""Cut what the student's side produced to a short excerpt before it goes into a message.

A failing check's message is shown to the student (the feedback's table, the graded notebook)
and kept in the grading record.  Parts of it come from the submission: an exception's text, the
repr of a returned value, a dtype's field names, whatever the kernel wrote.  Whatever the
student's code saw during the graders' calls (the hidden inputs) it can put there, so a message
that carries the kernel's text whole is a way out for every hidden input: 200,000 characters of
compressed arrays per check, before this cut.

``excerpt`` keeps the first and the last part of a text and says how much it cut between them.
``MAX_EXCERPT_CHARS`` bounds each piece of the kernel's text in a message (an exception's
message is a sentence or two: 300 characters show any honest one), and ``MAX_MESSAGE_CHARS``
bounds a check's whole message, the grader's own words included, as a backstop for a grader that
quotes a returned value.  A student therefore learns at most a few hundred characters per failed
check, and the graders' random inputs are drawn per student (``hidden_seeds``), so what one
student learns of them is of no use to another.
"""

from __future__ import annotations

MAX_EXCERPT_CHARS = 300  # one piece of the kernel's text (an exception's message, a dtype, a repr)
MAX_MESSAGE_CHARS = 800  # a check's whole message: the grader's words and the excerpts they quote

_NOTE = " [... {cut} characters cut ...] "


def excerpt(text: str, limit: int = MAX_EXCERPT_CHARS) -> str:
    """``text`` if it has at most ``limit`` characters, else its head and tail around a note of what was cut,
    ``limit`` characters in all (the head gets two thirds: a message's start usually says the most)."""
    if len(text) <= limit:
        return text
    # The note's own length depends on the number it states; the number is at most len(text).
    keep = max(limit - len(_NOTE.format(cut=len(text))), 0)
    head = keep * 2 // 3
    tail = keep - head
    cut = len(text) - head - tail
    return text[:head] + _NOTE.format(cut=cut) + (text[len(text) - tail:] if tail else "")
