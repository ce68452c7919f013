# The graders' only seam to a submission is the `student` fixture of the kit's plugin.
pytest_plugins = ["course_kit.grading.pytest_plugin"]
