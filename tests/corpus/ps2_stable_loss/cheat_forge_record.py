"""Cheat: under the grader, write a full-marks grading record wherever the grader might look, and a link there."""
# inherits: naive_everywhere
# %% [before stable_bce]
import json
import os

if os.environ.get("NBGRADER_EXECUTION") == "autograde":
    _cells = {"test_stable_bce": 4, "test_logsumexp": 2, "test_softmax": 2, "test_log_softmax": 2,
              "test_sparse_cce": 3}
    _forged = {
        "schema_version": 1, "assignment": "ps2_stable_loss", "student": "cheat_forge_record",
        "notebook": "stable_loss", "submission_sha256": "0" * 64,
        "kernel": {"outcome": "finished", "why": None, "timed_out_cells": []},
        "left_behind": [], "outputs_cut": 0, "memory_peak_mb": None,
        "timings": {"execution_s": 1, "graders_s": 1, "total_s": 2},
        "cells": [{"grade_id": g, "score": p, "max_score": p, "checks": []} for g, p in _cells.items()],
    }
    _name = "ps2_stable_loss.stable_loss.record.json"
    # Where the record would be if this kernel worked in autograded/<student>/<assignment>, and its own folder.
    for _folder in ["..", ".", "../../cheat_forge_record", "/tmp"]:
        try:
            with open(os.path.join(_folder, _name), "w") as _file:
                json.dump(_forged, _file)
            print("forged in", _folder)
        except OSError as error:
            print(_folder, error)
    os.symlink("/tmp/" + _name, "record.json")  # a link in its working folder: the instructor hears of it
    print("ATTACK-RAN:cheat_forge_record: forged records and planted record.json")
