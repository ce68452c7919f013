"""JSON Schema validation with each schema's validator built once: nbgrader's cell metadata, the kit's records.

nbgrader checks every cell's ``nbgrader`` metadata against its schema
(``BaseMetadataValidator.validate_cell``) several times per notebook it grades, with
``jsonschema.validate``, which first checks the *schema* against the JSON Schema meta-schema
and builds a new validator: about 0.9 ms a cell, 70 cells or so a notebook, paid again for every
notebook of a class.  ``install`` replaces that one call by a validator built once per schema,
which raises the same error ``jsonschema.validate`` would (its ``best_match``): what is checked,
and what nbgrader does on a bad cell, stay nbgrader's.  ``use_course_kit`` installs it, so every
nbgrader command of a course run with the kit gets it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from nbformat import NotebookNode
from nbgrader.nbgraderformat.common import BaseMetadataValidator


@cache
def _validator(schema_json: str) -> Validator:
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # as jsonschema.validate does, once
    return cls(schema)


def validate(instance: Any, schema: dict[str, Any]) -> None:
    """``jsonschema.validate(instance, schema)``, with the validator of ``schema`` built once."""
    error = best_match(_validator(json.dumps(schema, sort_keys=True)).iter_errors(instance))
    if error is not None:
        raise error


_NBGRADER_VALIDATE_CELL = BaseMetadataValidator.validate_cell


def _validate_cell(self: BaseMetadataValidator, cell: NotebookNode) -> None:
    if "nbgrader" not in cell.metadata:
        return
    if cell.metadata["nbgrader"].get("schema_version", 0) != self.schema_version:
        _NBGRADER_VALIDATE_CELL(self, cell)  # nbgrader's own SchemaTooOldError / SchemaTooNewError
        return
    validate(cell.metadata["nbgrader"], self.schema)


def install() -> None:
    """Make nbgrader's metadata validators use the cached validator (idempotent)."""
    BaseMetadataValidator.validate_cell = _validate_cell
