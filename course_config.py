"""nbgrader configuration of the from-logits course.

nbgrader has no --config option; it always loads ``nbgrader_config.py`` from
the course root, and ours does nothing but load this file.  To use these
settings from elsewhere: ``nbgrader ... --JupyterApp.config_file=/abs/path/course_config.py``.
"""

import os

from nbconvert.preprocessors import CoalesceStreamsPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import Autograde
from nbgrader.preprocessors import ClearHiddenTests, Execute, GetGrades, LimitOutput, SaveAutoGrades

from course_kit.preprocessors import ExecuteWithGraders, TruncateLargeOutputs, WriteGraderScores

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
# Collect copies links as links (make grade then refuses that submission) instead of following them as you.
c.ExchangeFactory.collect = "course_kit.exchange.CollectWithoutFollowingLinks"

# Hidden graders live beside source/, never inside it (everything in
# source/<assignment>/ is copied to students).
c.ExecuteWithGraders.graders_root = os.path.join(COURSE_ROOT, "graders")
c.ExecuteWithGraders.timeout = 60
# Keep TensorFlow's C++ start-up lines off stderr in every kernel nbgrader starts.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # TF 2.21 prints a oneDNN notice otherwise

# nbgrader's stock pipeline with four changes: Execute becomes ExecuteWithGraders;
# after LimitOutput cuts lines, CoalesceStreamsPreprocessor merges consecutive
# prints (how the kernel batches them depends on timing: without it, grading
# twice could give different feedback) and TruncateLargeOutputs cuts megabytes
# of printed text; WriteGraderScores puts the graders' scores into the test
# cells just before SaveAutoGrades reads them.
stock = Autograde.class_traits()["autograde_preprocessors"].default()
pipeline = [ExecuteWithGraders if step is Execute else step for step in stock]
pipeline.insert(pipeline.index(LimitOutput) + 1, CoalesceStreamsPreprocessor)
c.CoalesceStreamsPreprocessor.enabled = True  # nbconvert ships it disabled
pipeline.insert(pipeline.index(CoalesceStreamsPreprocessor) + 1, TruncateLargeOutputs)
pipeline.insert(pipeline.index(SaveAutoGrades), WriteGraderScores)
c.Autograde.autograde_preprocessors = pipeline

# Feedback goes to students: stock nbgrader prints the hidden test regions of
# test cells into it (nbgrader issues #917, #1156).  Strip them first.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# --- Confinement -------------------------------------------------------------------------------------
# Student notebooks run inside a bubblewrap sandbox (course_kit/confinement/confined_kernel.py): no network,
# nothing of this course directory visible but the kernel's own autograded folder, writes only there and in
# a private /tmp, and the caps below (memory per notebook, the rlimits per process; the notebook's wall time
# is ExecuteWithGraders.notebook_time_limit).  Without bubblewrap (`apt-get install bubblewrap`; macOS has
# none) autograding refuses to start.  `allow_unconfined = True` runs student code UNCONFINED instead, with
# your rights over this course and machine: only ever on a throwaway machine.
from course_kit.confinement import ConfinedKernelManager  # noqa: E402

c.ExecuteWithGraders.kernel_manager_class = ConfinedKernelManager
c.ConfinedKernelManager.allow_unconfined = False
c.ConfinedKernelManager.notebook_memory_limit_mb = 4096  # kernel + children + /tmp, one cgroup (ps3 peak: ~1 GiB)
c.ConfinedKernelManager.memory_limit_mb = 6144  # RLIMIT_DATA per process, a backstop above the notebook's cap
c.ConfinedKernelManager.address_space_limit_mb = 8192  # RLIMIT_AS, also bounds shared memory (TF maps ~2.4 GiB)
c.ConfinedKernelManager.cpu_time_limit_s = 600  # RLIMIT_CPU per process, all its threads (Keras ps3: ~10 s)
c.ConfinedKernelManager.max_processes = 256  # processes + threads at once (TensorFlow: ~2 threads per core)
c.ConfinedKernelManager.file_size_limit_mb = 1024
c.ConfinedKernelManager.tmp_size_mb = 512  # private /tmp and /dev/shm, each
