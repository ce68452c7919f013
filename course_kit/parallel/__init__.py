"""Grading a class on Dask workers, with the instructor's process as the gradebook's one writer.

- ``cluster``: a LocalCluster of worker processes sized to cores and memory, or an existing cluster;
- ``worker_task``: one student's nbgrader autograde on a worker, against a private gradebook copy;
- ``submission_record``: what that autograde wrote to the gradebook, as data, and its replay;
- ``class_grading``: the class run (checks, tasks, the writer, the ``.grading`` markers);
- ``progress``: a bar with an ETA on a terminal, a line per student otherwise.
"""
