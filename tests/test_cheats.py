"""No cheat scores above the honest work it hides behind.

Each file in tests/corpus/<assignment>/ names its honest base with
`# inherits:`; graded by real nbgrader, its score in every cell must not
exceed the base's score in that cell.
"""

import pytest

from conftest import ASSIGNMENTS, submissions_of

CASES = [
    (assignment, path.stem)
    for assignment in ASSIGNMENTS
    for path, _ in submissions_of(assignment)
    if path.parent.parent.name == "corpus"
]


@pytest.mark.parametrize(("assignment", "student"), CASES)
def test_cheat_gains_nothing(graded, assignment, student):
    results = graded(assignment)
    cheat = results[student]
    base = results[cheat.sample.base]
    assert base.success, base.log
    assert cheat.success, cheat.log
    for cell_id, honest in base.cells.items():
        assert cheat.score(cell_id) <= honest.score, (
            f"{student} scored {cheat.score(cell_id)} in {cell_id}, its honest base "
            f"{cheat.sample.base} scored {honest.score}:\n{cheat.cells[cell_id].report}"
        )
    assert cheat.total <= base.total
