"""What the kernel says reaches a check's message as a short excerpt: head and tail, and how much was cut."""

import numpy as np
import pytest
from test_student_kernel import InProcessKernel

from course_kit.grading.excerpt import MAX_EXCERPT_CHARS, MAX_MESSAGE_CHARS, excerpt
from course_kit.grading.student_kernel import StudentCodeError, StudentKernel


@pytest.mark.parametrize("length", [0, 1, MAX_EXCERPT_CHARS - 1, MAX_EXCERPT_CHARS])
def test_short_text_is_kept_whole(length):
    text = "".join(chr(ord("a") + i % 26) for i in range(length))
    assert excerpt(text) == text


@pytest.mark.parametrize("length", [MAX_EXCERPT_CHARS + 1, 10_000, 5_000_000])
@pytest.mark.parametrize("limit", [MAX_EXCERPT_CHARS, MAX_MESSAGE_CHARS, 120])
def test_long_text_keeps_head_and_tail_and_says_how_much_was_cut(length, limit):
    text = "HEAD" + "x" * (length - 8) + "TAIL"
    cut = excerpt(text, limit)
    if length <= limit:
        assert cut == text
        return
    assert len(cut) <= limit
    assert cut.startswith("HEAD") and cut.endswith("TAIL")
    head, _, rest = cut.partition(" [... ")
    number = int(rest.split(" characters cut")[0])
    tail = rest.split("characters cut ...] ")[1]
    assert len(head) + number + len(tail) == len(text)  # what is shown plus what was cut is the whole text
    assert len(head) >= len(tail)


def test_a_student_exception_reaches_the_message_as_an_excerpt(tmp_path):
    """The kernel's exception text, whatever its length, costs the message at most MAX_EXCERPT_CHARS."""
    payload = "A" * 200_000

    def leaky(z):
        raise RuntimeError("start " + payload + " end")

    student = StudentKernel(InProcessKernel(f=leaky), scratch_parent=tmp_path)
    with pytest.raises(StudentCodeError) as raised:
        student.call("f", np.zeros(3))
    message = str(raised.value)
    assert message.startswith("f(...) raised RuntimeError: start AAA") and message.endswith("AAA end")
    assert len(message) <= len("f(...) raised RuntimeError: ") + MAX_EXCERPT_CHARS
    (batched,) = student.call_many("f", [(np.zeros(3),)])
    assert str(batched) == message


def test_a_check_message_is_cut_whatever_the_grader_put_in_it():
    from course_kit.grading.results import _failure_message

    try:
        raise AssertionError("f returned " + repr(list(range(100_000))))
    except AssertionError:
        info = pytest.ExceptionInfo.from_current()
    message = _failure_message(info)
    assert message.startswith("f returned [0, 1, 2") and len(message) <= MAX_MESSAGE_CHARS
    assert "characters cut" in message
