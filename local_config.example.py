# This installation's settings: copy this file to local_config.py (git ignores that one) and edit it.
#     cp local_config.example.py local_config.py
# Only the exchange line is live; every setting written `#c.` is an example: remove its `#` and put your own values.
# course_config.py reads local_config.py last, so its lines win over the course's; an update of the kit never
# touches it.  docs/instructor_guide.md, "Running a term", walks through each setting.
c = get_config()  # noqa: F821  (injected by traitlets' config loader)

# --- The machine ---------------------------------------------------------------------------------------
# The shared exchange students fetch from and submit to (mode 1777: guide, section 1).
c.Exchange.root = "/srv/nbgrader/exchange"
# A gradebook several graders share (README, "Sharing a gradebook"); default: gradebook.db in the course root.
#c.CourseDirectory.db_url = "postgresql://grader@db.example.edu/from_logits"

# --- This term's dates (course_kit/term/) ---------------------------------------------------------------
# Times in this zone unless a time names its own offset ("2027-02-01T23:59+01:00").
#c.TermDates.timezone = "Europe/Berlin"
#c.TermDates.due_dates = {
#    "ps1_naive_loss": "2027-02-01 23:59",
#    "ps2_stable_loss": "2027-02-15 23:59",
#    "ps3_keras_from_logits": "2027-03-01 23:59",
#}
# A student's own, later due date for one assignment.  `make dates` writes these into the gradebook (autograde
# does too) and names any graded submission that needs `make grade ... FORCE=1` for a changed date to count.
#c.TermDates.extensions = {
#    "ps1_naive_loss": {"alice": "2027-02-04 23:59"},
#}

# The late penalty, taken at autograde: percent of the points possible per started day late, capped.
#c.AssignLatePenalties.plugin_class = "course_kit.term.LatePenalty"
#c.LatePenalty.percent_per_day = 10
#c.LatePenalty.max_percent = 50
#c.LatePenalty.grace_minutes = 15

# --- Canvas (docs/instructor_guide.md, section 7) ------------------------------------------------------------
# Canvas's assignment id of each assignment: its column then updates that Canvas assignment whatever its title.
#c.CanvasExportPlugin.canvas_assignment_ids = {"ps1_naive_loss": "12345"}
#c.CanvasExportPlugin.section = "CS 101-02"
#c.CanvasExportPlugin.sis_login_id = "email"   # when Canvas knows students by email rather than login
