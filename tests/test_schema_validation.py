"""nbgrader's cell-metadata check with its validator built once (course_kit.schema_validation): the same verdicts
and the same errors as nbgrader's own jsonschema.validate, for valid cells, invalid ones and other schema versions."""

from __future__ import annotations

import copy

import jsonschema
import pytest
from nbformat.v4 import new_code_cell
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.nbgraderformat.common import BaseMetadataValidator

from course_kit import schema_validation

GOOD = {"schema_version": 3, "grade": True, "solution": False, "locked": True, "points": 2.0,
        "grade_id": "test_x", "task": False}
BAD = [
    {**GOOD, "points": "two"},
    {**GOOD, "grade_id": 7},
    {**GOOD, "grade": "yes"},
    {**GOOD, "unknown": 1},
]


def _cell(metadata: dict):
    cell = new_code_cell("x = 1")
    cell.metadata["nbgrader"] = copy.deepcopy(metadata)
    return cell


def _outcome(validate, cell) -> str | None:
    try:
        validate(cell)
    except jsonschema.ValidationError as error:
        return f"{error.message} at {list(error.absolute_path)}"
    except (SchemaTooOldError, SchemaTooNewError) as error:
        return f"{type(error).__name__}: {error}"
    return None


@pytest.mark.parametrize("metadata", [GOOD, *BAD, {**GOOD, "schema_version": 1}, {**GOOD, "schema_version": 9}])
def test_same_verdict_and_error_as_nbgrader(metadata, monkeypatch):
    validator = MetadataValidator()
    installed = _outcome(lambda cell: schema_validation._validate_cell(validator, cell), _cell(metadata))
    monkeypatch.setattr(BaseMetadataValidator, "validate_cell", schema_validation._NBGRADER_VALIDATE_CELL)
    assert installed == _outcome(validator.validate_cell, _cell(metadata))
    assert (installed is None) == (metadata is GOOD)


def test_the_course_kit_configuration_installs_it():
    from traitlets.config import Config

    from course_kit.nbgrader_setup import use_course_kit

    use_course_kit(Config(), "/nonexistent-course")
    assert BaseMetadataValidator.validate_cell is schema_validation._validate_cell


def test_a_schema_is_checked_once_then_its_validator_reused():
    schema_validation._validator.cache_clear()
    validator = MetadataValidator()
    for _ in range(5):
        validator.validate_cell(_cell(GOOD))
    schema_validation.validate(GOOD, validator.schema)
    assert schema_validation._validator.cache_info().misses == 1
