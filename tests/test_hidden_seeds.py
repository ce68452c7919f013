"""Random hidden inputs are drawn per student from the course's secret; the same student always gets the same."""

import hashlib
import hmac
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from course_kit.grading.hidden_seeds import (
    HAND_RUN_KEY,
    HAND_RUN_STUDENT,
    SECRET_FILE,
    HiddenSeeds,
    SecretError,
    course_secret,
)

KEY = bytes(range(32))


def test_a_seed_is_the_hmac_of_course_assignment_student_and_draw():
    seeds = HiddenSeeds(KEY, "from_logits", "ps2_stable_loss", "ada")
    expected = hmac.new(KEY, json.dumps(["from_logits", "ps2_stable_loss", "ada", "test_softmax"]).encode(),
                        hashlib.sha256).hexdigest()[:32]
    assert seeds.seed("test_softmax") == int(expected, 16)
    assert seeds.used == {"test_softmax": expected}


def test_every_part_changes_the_seed_and_the_same_parts_give_the_same_seed():
    base = ("from_logits", "ps2_stable_loss", "ada", "test_softmax")
    seed = HiddenSeeds(KEY, *base[:3]).seed(base[3])
    assert HiddenSeeds(KEY, *base[:3]).seed(base[3]) == seed  # a regrade draws the same
    for i in range(4):
        changed = list(base)
        changed[i] += "x"
        assert HiddenSeeds(KEY, *changed[:3]).seed(changed[3]) != seed
    assert HiddenSeeds(KEY[::-1], *base[:3]).seed(base[3]) != seed
    # The parts are not simply joined: ("a|b", "c") and ("a", "b|c") differ.
    assert HiddenSeeds(KEY, "c", "a|b", "d").seed("e") != HiddenSeeds(KEY, "c", "a", "b|d").seed("e")


def test_two_students_draw_different_inputs_and_one_student_the_same_twice():
    ada, bob = (HiddenSeeds(KEY, "c", "a", s) for s in ("ada", "bob"))
    assert not np.array_equal(ada.rng("rows").random(5), bob.rng("rows").random(5))
    np.testing.assert_array_equal(ada.rng("rows").random(5), HiddenSeeds(KEY, "c", "a", "ada").rng("rows").random(5))


def test_a_hand_run_uses_fixed_public_seeds():
    seeds = HiddenSeeds.hand_run("from_logits", "ps1_naive_loss")
    assert (seeds.key, seeds.student) == (HAND_RUN_KEY, HAND_RUN_STUDENT)
    assert seeds.seed("test_sigmoid") == HiddenSeeds.hand_run("from_logits", "ps1_naive_loss").seed("test_sigmoid")


def test_the_secret_is_made_once_private_and_read_back(tmp_path):
    with ThreadPoolExecutor(8) as pool:  # graders starting at once all get the one secret
        keys = set(pool.map(lambda _: course_secret(tmp_path), range(16)))
    assert len(keys) == 1 and len(keys.pop()) == 32
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [SECRET_FILE]  # no temporary file left behind
    assert course_secret(tmp_path) == bytes.fromhex(path.read_text().strip())
    assert course_secret(tmp_path, configured="from the settings") == b"from the settings"


def test_a_secret_others_can_read_or_a_link_is_refused(tmp_path):
    course_secret(tmp_path)
    path = tmp_path / SECRET_FILE
    os.chmod(path, 0o644)
    with pytest.raises(SecretError, match="readable or writable by every user"):
        course_secret(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "elsewhere").write_text("00" * 32)
    (other / SECRET_FILE).symlink_to(other / "elsewhere")
    with pytest.raises(SecretError, match="cannot be read"):
        course_secret(other)
    (tmp_path / "short").mkdir()
    (tmp_path / "short" / SECRET_FILE).write_text("abcd")
    os.chmod(tmp_path / "short" / SECRET_FILE, 0o600)
    with pytest.raises(SecretError, match="at least 16 bytes"):
        course_secret(tmp_path / "short")
