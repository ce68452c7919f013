"""The settings of ``ConfinedKernelManager``: what a student kernel may see, and use, and how much.

Every one is a traitlets trait set in the course's configuration as
``c.ConfinedKernelManager.<name>``; ``course_config.py`` lists the course's choices.
"""

from __future__ import annotations

from traitlets import Bool, Integer, List, Unicode
from traitlets.config import LoggingConfigurable


class ConfinementSettings(LoggingConfigurable):
    bwrap_path = Unicode(
        "bwrap", help="The bubblewrap executable (a name looked up on PATH, or a path)."
    ).tag(config=True)

    allow_unconfined = Bool(
        False,
        help=(
            "DANGEROUS OPT-OUT. When bubblewrap is missing or cannot build a sandbox here, start student kernels "
            "unconfined instead of refusing: student code then runs with the grader's full rights (it can read "
            "gradebook.db and the hidden graders, use the network, exhaust the machine). A warning is logged on "
            "every kernel start. For machines you do not mind losing, e.g. a throwaway VM on macOS."
        ),
    ).tag(config=True)

    notebook_memory_limit_mb = Integer(
        4096,
        help=(
            "Memory of the whole notebook, in MiB: the kernel, every process it starts and the files in its "
            "private /tmp, counted together in a cgroup of its own. Past it the system kills a process of the "
            "notebook (usually the kernel: its test cells then score 0, saying so). 0 = no cgroup. Where no "
            "writable memory cgroup exists a warning is logged and only the per-process limits apply. "
            "A small Keras notebook (this course's ps3) peaks at ~330 MiB, file cache included: each grading "
            "record's memory_peak_mb, also logged as 'Notebook memory peak'."
        ),
    ).tag(config=True)

    process_data_limit_mb = Integer(
        6144,
        help=(
            "RLIMIT_DATA of each process, in MiB: its private writable memory (heap, arrays, thread stacks); "
            "beyond it allocations fail with MemoryError. A backstop where no cgroup exists: above "
            "notebook_memory_limit_mb, a notebook that creeps up to the cap is stopped with a clear reason "
            "instead of living on starved (a kernel left with no memory dies later, of a vaguer cause). "
            "0 = no limit. A small Keras notebook needs ~0.4 GiB (1.4 GiB with 130 TensorFlow threads)."
        ),
    ).tag(config=True)

    address_space_limit_mb = Integer(
        8192,
        help=(
            "RLIMIT_AS of the kernel, in MiB: all of its mappings, which also bounds shared memory that "
            "RLIMIT_DATA does not count. 0 = no limit. TensorFlow reserves a lot of it: ~2.4 GiB for a small "
            "Keras notebook on 2 cores, ~3.2 GiB with 130 threads."
        ),
    ).tag(config=True)

    cpu_time_limit_s = Integer(
        600,
        help=(
            "RLIMIT_CPU of the kernel, in CPU seconds over the whole notebook (all its threads; the graders' "
            "calls included): the kernel is killed when it is used up. 0 = no limit. A small Keras notebook "
            "uses ~10 s on 2 cores; TensorFlow's thread pools use more on machines with many cores."
        ),
    ).tag(config=True)

    max_processes = Integer(
        256,
        help=(
            "RLIMIT_NPROC: tasks (processes and threads) the notebook may have at once, counted in its own user "
            "namespace. TensorFlow alone starts ~2 threads per core. 0 = no limit."
        ),
    ).tag(config=True)

    file_size_limit_mb = Integer(
        1024, help="RLIMIT_FSIZE, in MiB: the largest file the kernel may write. 0 = no limit."
    ).tag(config=True)

    tmp_size_mb = Integer(
        512, help="Size of the kernel's private /tmp and of its /dev/shm (each an in-memory tmpfs), in MiB."
    ).tag(config=True)

    course_root = Unicode(
        "",
        help=(
            "The course directory, hidden from the kernel except for its own working folder. Default: "
            "CourseDirectory.root of the same configuration, else the current directory. Exchange.root and the "
            "folder of a sqlite CourseDirectory.db_url are hidden too when configured."
        ),
    ).tag(config=True)

    hidden_paths = List(
        Unicode(),
        default_value=["~", "/home", "/root", "/run"],
        help=(
            "Further paths the kernel must not see (each covered by an empty tmpfs; '~' is the grader's home). "
            "The Python environment and the working folder are bound back even when they lie inside one."
        ),
    ).tag(config=True)

    readonly_paths = List(
        Unicode(),
        default_value=[],
        help=(
            "Paths bound back read-only after hiding, besides sys.prefix and sys.base_prefix "
            "(e.g. a data set folder inside a hidden path)."
        ),
    ).tag(config=True)

    sandbox_uid = Integer(
        65534, help="When the grader runs as root, the unprivileged uid the kernel runs as (65534 = nobody)."
    ).tag(config=True)

    sandbox_gid = Integer(65534, help="When the grader runs as root, the kernel's gid (65534 = nogroup).").tag(
        config=True
    )

    env_passthrough = List(
        Unicode(),
        default_value=[
            "PATH", "LANG", "LANGUAGE", "LC_*", "TZ", "TERM", "SOURCE_DATE_EPOCH",
            "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8",
            "TF_*", "KERAS_*", "OMP_*", "MKL_*", "OPENBLAS_*", "CUDA_VISIBLE_DEVICES", "MPLBACKEND",
            "NBGRADER_*", "JPY_*", "JUPYTER_PLATFORM_DIRS", "PYDEVD_*",
        ],
        help=(
            "Names (fnmatch patterns) of the grader's environment variables passed to the kernel; the rest "
            "(tokens, credentials) stay outside. HOME and TMPDIR are set to the private /tmp."
        ),
    ).tag(config=True)

    extra_bwrap_args = List(
        Unicode(), default_value=[], help="Extra bwrap options, appended after the kit's own (expert use)."
    ).tag(config=True)
