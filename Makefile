# Two commands on a fresh machine with Python 3.11, 3.12 or 3.13:  `make demo`  and  `make test`.
# The venv is built on PYTHON=... if given, else on the newest of python3.13/3.12/3.11 that runs
# (a pyenv shim of a version not selected does not), else on python3 (refused below if unsupported).
SUPPORTED := 3.11 3.12 3.13
ifndef PYTHON
PYTHON := $(firstword $(foreach v,3.13 3.12 3.11,$(if $(filter $(v),$(shell python$(v) -c \
  'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)),python$(v))) python3)
endif
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)
PYTHON_MINOR   := $(basename $(PYTHON_VERSION))
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo grade status audit roster dates test lint bench release lock clean hub hub-prefix test-hub

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml jupyter-config/course_kit.json
	@case " $(SUPPORTED) " in *" $(PYTHON_MINOR) "*) echo "Building $(VENV) on Python $(PYTHON_VERSION) ($(PYTHON))";; \
	  *) echo "The kit runs on Python 3.11, 3.12 or 3.13; $(PYTHON) is $(or $(PYTHON_VERSION),not a Python that runs)."; \
	     echo "Install one (Debian/Ubuntu: apt-get install python3 python3-venv) or name it: make PYTHON=/path/to/python3.12 ..."; \
	     exit 1;; esac
	@# Debian and Ubuntu ship venv's pip bootstrap (ensurepip) apart, in python3.X-venv.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq python$(PYTHON_MINOR)-venv; } \
	  || { echo "$(PYTHON) cannot build a venv: install python$(PYTHON_MINOR)-venv (apt-get install python$(PYTHON_MINOR)-venv)."; exit 1; }
	@# Student code runs inside bubblewrap during autograding (Debian/Ubuntu package).
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq bubblewrap; } \
	  || echo "WARNING: bubblewrap is missing; install it (apt-get install bubblewrap) before grading students."
	@# The PostgreSQL gradebook's test starts its own throwaway server (README, "Sharing a gradebook").
	@{ command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 \
	  || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
	  || echo "NOTE: PostgreSQL is missing; its gradebook test will be skipped (apt-get install postgresql)."
	@# The browser tests drive JupyterLab in Debian's chromium through Playwright (never Playwright's own download).
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium; } \
	  || echo "WARNING: chromium is missing; the browser tests need it (apt-get install chromium)."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# --no-deps: the lock is complete but for two packages it leaves out on purpose (scripts/lock.py says why).
	$(BIN)/pip install --quiet --no-deps -r requirements.txt
	$(BIN)/pip uninstall --quiet --yes rfc3987-syntax lark 2>/dev/null  # a venv made before they were left out
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@# The kit's server extensions (formgrader refuses ?path=): an editable install skips pyproject's data-files.
	install -D -m 644 jupyter-config/course_kit.json $(VENV)/etc/jupyter/jupyter_server_config.d/course_kit.json
	touch $(STAMP)

# GRADEBOOK_URL=postgresql://...: grade into that database instead of gradebook.db (README, "Sharing a gradebook").
demo: $(STAMP)
	$(BIN)/python -m course_kit.instructor.demo

# Autograde every submission of one assignment in this course root:  make grade A=ps2_stable_loss
# S="alice bob": only these students; FORCE=1: regrade those already graded (hand grades whose answer did not
# change stay graded). J=N: N Dask worker processes (default: one per core, within memory);
# SCHEDULER=tls://host:8786: an existing Dask cluster started with TLS whose workers see this course directory at
# the same path; TLS_DIR=: the folder of this client's ca.pem, cert.pem, key.pem (default: Dask's
# distributed.comm.tls.* configuration).
# One run per course at a time: a second one says whose run it waits for and waits; NOWAIT=1: it exits instead.
# grade_class's status: 0 nothing to look at, 1 some submissions need a look (listed with the reason), 2 grading
# cannot run, 3 another run holds the course (NOWAIT=1). make turns any nonzero status into its own 2
# ("make: *** [...] Error N" names N), so the last line below says which it was; a script that needs the code
# itself runs .venv/bin/python -m course_kit.instructor.grade_class. Rerun after an interruption: Ctrl-C stops the
# run cleanly with one line saying how many are graded (grade_class's status 130; make then says "Interrupt").
grade: $(STAMP)
	@test -n "$(A)" || { echo "usage: make grade A=<assignment> [S=\"alice bob\"] [FORCE=1] [J=2] [SCHEDULER=tls://host:8786 [TLS_DIR=dir]] [NOWAIT=1]"; exit 2; }
	@PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m course_kit.instructor.grade_class $(A) --course-dir . \
	  $(foreach s,$(S),--student $(s)) $(if $(FORCE),--force) $(if $(J),--jobs $(J)) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(TLS_DIR),--tls-dir $(TLS_DIR)) $(if $(NOWAIT),--no-wait); \
	status=$$?; \
	case $$status in \
	  0) ;; \
	  1) echo "grade_class exit status 1: some submissions need a look (above)";; \
	  2) echo "grade_class exit status 2: grading could not run (above)";; \
	  3) echo "grade_class exit status 3: another grading run holds the course (above)";; \
	  130) echo "grade_class exit status 130: interrupted (above)";; \
	  *) echo "grade_class exit status $$status: stopped";; \
	esac; exit $$status

# Where one assignment stands, per student: waiting in the exchange, collected, graded (score), hand grading
# pending, feedback generated and released, late, refused; then the counts:  make status A=ps2_stable_loss
# JSON=1: the same as JSON data (course_kit/instructor/status.py), for scripts.  It only reads: any time, even
# beside make grade.
status: $(STAMP)
	@test -n "$(A)" || { echo "usage: make status A=<assignment> [JSON=1]"; exit 2; }
	@PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m course_kit.instructor.status $(A) --course-dir . $(if $(JSON),--json)

# A term's administration (docs/instructor_guide.md, "Running a term").  The roster: a CSV with a header line,
# id (the student's login) and any of first_name, last_name, email, lms_user_id; students are added or updated,
# never removed (those missing from the file are listed).  Every bad line is named and nothing is written (exit 2).
roster: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make roster FILE=roster.csv"; exit 2; }
	@PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m course_kit.instructor.roster "$(FILE)" --course-dir .

# Due dates and extensions of local_config.py (c.TermDates...) into the gradebook, and shown (autograde also writes
# them); names the graded submissions whose late penalty needs a regrade after a change.
dates: $(STAMP)
	@PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m course_kit.instructor.term_dates --course-dir .

# The grader audit: grade each assignment's corpus of wrong and right answers (graders/<a>/audit/*.py) in a
# throwaway copy of the course and print variants x test cells:  make audit A=ps2_stable_loss  (default: all).
# Exit status 1 when a wrong variant keeps full marks where its mistake is, or a right one loses points
# (each named); `# known-hole:` lines in a variant excuse an expectation today's graders are known to miss.
# V=1: every failed check under its variant; J=N, SCHEDULER=tls://host:8786: as for make grade.
audit: $(STAMP)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m course_kit.instructor.audit $(A) --course-dir . \
	  $(if $(V),--verbose) $(if $(J),--jobs $(J)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

lint: $(STAMP)
	$(BIN)/ruff check .

# Two pytest workers: one grades the session's classes (tests/conftest.py groups every test that reads them),
# the other runs the rest beside it; TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15

# Regenerate the committed student versions after editing source/ (a test checks they match).
release: $(STAMP)
	for a in $$(ls source); do PATH=$(abspath $(BIN)):$$PATH $(BIN)/nbgrader generate_assignment $$a --force --log-level=WARN; done

# STUDENTS=200: the class-size benchmark on a full class (default 6 students); CLASS_ONLY=1: only that one;
# CLASS_RUNS=dask: only some of its runs (1 = one local worker, 2 = two, dask = a standing Dask cluster of two);
# JSON=class.json: the class's figures (class / plain, where the time goes) also as JSON.
bench: $(STAMP)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python scripts/benchmark.py $(if $(STUDENTS),--students $(STUDENTS)) \
	  $(if $(CLASS_ONLY),--class-only) $(if $(CLASS_RUNS),--class-runs $(CLASS_RUNS)) $(if $(JSON),--json $(JSON))

# Re-resolve the lock from pyproject.toml's direct pins: one lock for every supported Python, resolved on
# the first of LOCK_PYTHONS (a 3.11) for Debian 12's 3.11.2 and checked on the others found (scripts/lock.py).
# Then the students' lock, student-requirements.txt, within it.
LOCK_PYTHONS ?= python3.11 python3.12 python3.13
lock:
	rm -rf /tmp/course-kit-lock && $(PYTHON) -m venv /tmp/course-kit-lock
	/tmp/course-kit-lock/bin/pip install --quiet --upgrade pip
	/tmp/course-kit-lock/bin/python scripts/lock.py $(LOCK_PYTHONS)

# The course on JupyterHub (docs/jupyterhub.md), as root: PAM logins, each user's server as that Unix user.
# Every user's server runs from HUB_PREFIX, a venv of the locked requirements on HUB_PYTHON that all users can
# read and run (a clone or a pyenv under /root, mode 700, is out of their reach); the proxy is hub/package-lock.json's,
# installed by npm ci.  The course, exchange, groups and ports are hub/jupyterhub_config.py's FROM_LOGITS_* variables.
HUB_PREFIX ?= /opt/from_logits-hub
HUB_PYTHON ?= /usr/bin/python3
HUB_STAMP  := $(HUB_PREFIX)/.installed
PROXY      := hub/node_modules/.bin/configurable-http-proxy

hub-prefix: $(HUB_STAMP) $(PROXY)

$(HUB_STAMP): requirements.txt pyproject.toml hub/nbgrader_config.py $(wildcard hub/students/*/*) $(shell find course_kit -name '*.py' -o -name '*.json' -o -name '*.j2' 2>/dev/null)
	@test "$$(id -u)" = 0 || { echo "make hub-prefix installs into $(HUB_PREFIX) for every user: run it as root"; exit 1; }
	@$(HUB_PYTHON) -c 'import sys; assert sys.version_info[:2] in [(3, 11), (3, 12), (3, 13)]' \
	  || { echo "HUB_PYTHON=$(HUB_PYTHON) is not a Python 3.11-3.13 (every user must be able to run it)"; exit 1; }
	umask 022 && rm -rf $(HUB_PREFIX)/venv && $(HUB_PYTHON) -m venv $(HUB_PREFIX)/venv
	umask 022 && $(HUB_PREFIX)/venv/bin/pip install --quiet --upgrade pip
	umask 022 && $(HUB_PREFIX)/venv/bin/pip install --quiet --no-deps -r requirements.txt
	@# Not editable: the kit is copied into the prefix, so users need nothing of the clone.
	umask 022 && $(HUB_PREFIX)/venv/bin/pip install --quiet --no-deps --no-build-isolation . && rm -rf build
	$(HUB_PREFIX)/venv/bin/pip check
	install -d -m 755 $(HUB_PREFIX)/venv/etc/jupyter
	install -m 644 hub/nbgrader_config.py $(HUB_PREFIX)/venv/etc/jupyter/nbgrader_config.py
	rm -rf $(HUB_PREFIX)/students && umask 022 && cp -r hub/students $(HUB_PREFIX)/students
	chmod -R a+rX $(HUB_PREFIX)
	touch $@

$(PROXY): hub/package.json hub/package-lock.json
	cd hub && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Brings the hub up in the foreground (Ctrl-C stops it); for a term, the systemd unit in docs/jupyterhub.md.
hub: hub-prefix
	@test "$$(id -u)" = 0 || { echo "JupyterHub spawns each user's server as that user: run make hub as root"; exit 1; }
	install -d -m 700 $${FROM_LOGITS_HUB_STATE:-/srv/jupyterhub}
	cd $${FROM_LOGITS_HUB_STATE:-/srv/jupyterhub} && exec $(HUB_PREFIX)/venv/bin/jupyterhub -f $(abspath hub/jupyterhub_config.py)

# The hub end to end in Chromium (tests/test_hub.py): an instructor and two students, real Unix users, ps1 from
# release to feedback.  Apart from `make test`, whose budget it would not fit.
# As an ordinary user it says why it cannot run (it makes Unix users and starts the hub as root) and stops there.
test-hub: $(STAMP)
	@if [ "$$(id -u)" != 0 ]; then echo "make test-hub skipped: it creates Unix users and runs JupyterHub as root"; \
	else $(MAKE) --no-print-directory hub-prefix && \
	  CK_TEST_HUB=1 FROM_LOGITS_HUB_PREFIX=$(HUB_PREFIX) $(BIN)/pytest -n 0 -q --durations=5 tests/test_hub.py; fi

clean:
	rm -rf $(VENV) demo-course
