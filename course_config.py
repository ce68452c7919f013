"""nbgrader configuration of the from-logits course.

nbgrader has no --config option; it always loads ``nbgrader_config.py`` from
the course root, and ours does nothing but load this file.  To use these
settings from elsewhere: ``nbgrader ... --JupyterApp.config_file=/abs/path/course_config.py``.
"""

import os

from course_kit.nbgrader_setup import use_course_kit

c = get_config()  # noqa: F821  (injected by traitlets' config loader)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "from_logits"
c.CourseDirectory.root = COURSE_ROOT
# The gradebook: SQLite beside this file unless GRADEBOOK_URL names another database, e.g. a PostgreSQL server
# that several graders share ("postgresql://grader@db.example.edu/from_logits"; README, "Sharing a gradebook").
# The sandbox never passes GRADEBOOK_URL on to student kernels (ConfinedKernelManager.env_passthrough).
c.CourseDirectory.db_url = os.environ.get("GRADEBOOK_URL") or "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")
c.Exchange.root = os.path.join(COURSE_ROOT, "exchange")
c.Exchange.path_includes_course = True

# The kit's autograde pipeline (the graders of graders/<assignment>/ in place of nbgrader's Execute, the
# scores they write into the test cells), feedback without hidden tests, a collect step that copies links
# as links, and confined kernels: course_kit/nbgrader_setup.py says what each piece is for.
use_course_kit(c, COURSE_ROOT)
# The stop rules of a notebook run (course_kit/grading/executor.py), for autograde and the hand-run grader alike.
c.NotebookStopRules.timeout = 60
# Keep TensorFlow's C++ start-up lines off stderr in every kernel nbgrader starts.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # TF 2.21 prints a oneDNN notice otherwise

# Class grading starts each notebook's kernel while the one before it is graded, and imports these ahead
# (course_kit/confinement/warm_kernels.py): ps3 would otherwise pay TensorFlow's import for every student.
# The notebook sets TF_CPP_MIN_LOG_LEVEL and TF_ENABLE_ONEDNN_OPTS before importing TensorFlow; the spare gets
# the same values from this file (above), passed on by the sandbox (env_passthrough: TF_*).
# Every assignment's own imports are warmed, matplotlib's pyplot included (0.76x ps1's cells' seconds, 2026-12-08);
# the notebooks run `%matplotlib inline` after it as they would on a cold kernel, which picks the backend then.
c.WarmKernels.imports = {
    "ps1_naive_loss": ["numpy", "matplotlib.pyplot", "mpmath"],
    "ps2_stable_loss": ["numpy", "matplotlib.pyplot"],
    "ps3_keras_from_logits": ["numpy", "tensorflow", "keras", "matplotlib.pyplot"],
}

# --- Confinement -------------------------------------------------------------------------------------
# Student notebooks run inside a bubblewrap sandbox (course_kit/confinement/confined_kernel.py): no network,
# nothing of this course directory visible but the kernel's own autograded folder, writes only there and in
# a private /tmp, and the caps below (memory per notebook, the rlimits per process; the notebook's wall time
# is ExecuteWithGraders.notebook_time_limit).  Without bubblewrap (`apt-get install bubblewrap`; macOS has
# none) autograding refuses to start.  `allow_unconfined = True` runs student code UNCONFINED instead, with
# your rights over this course and machine: only ever on a throwaway machine.
c.ConfinedKernelManager.allow_unconfined = False  # use_course_kit's choice, restated: see above
c.ConfinedKernelManager.notebook_memory_limit_mb = 4096  # kernel + children + /tmp, one cgroup (ps3 peak: ~330 MiB)
c.ConfinedKernelManager.process_data_limit_mb = 6144  # RLIMIT_DATA per process, a backstop above the notebook's cap
c.ConfinedKernelManager.address_space_limit_mb = 8192  # RLIMIT_AS, also bounds shared memory (TF maps ~2.4 GiB)
c.ConfinedKernelManager.cpu_time_limit_s = 600  # RLIMIT_CPU per process, all its threads (Keras ps3: ~10 s)
c.ConfinedKernelManager.max_processes = 256  # processes + threads at once (TensorFlow: ~2 threads per core)
c.ConfinedKernelManager.file_size_limit_mb = 1024
c.ConfinedKernelManager.tmp_size_mb = 512  # private /tmp and /dev/shm, each

# --- This installation's settings ---------------------------------------------------------------------
# What belongs to one machine or one term rather than to the course (the shared exchange, the gradebook URL,
# Canvas ids, due dates, the roster's LMS settings) goes in local_config.py beside this file: git never
# tracks it (.gitignore), so an update of the kit never conflicts with it, and it is read last, so its lines
# win over the ones above.  docs/instructor_guide.md says what to put there.
LOCAL_SETTINGS = os.path.join(COURSE_ROOT, "local_config.py")
if os.path.isfile(LOCAL_SETTINGS):
    load_subconfig(LOCAL_SETTINGS)  # noqa: F821  (injected by traitlets' config loader)
