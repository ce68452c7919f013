# The graders' only seam to a submission is the `student` fixture of this plugin; the course's figures for the
# feedback are drawn by its own plugin (course_numerics.figures: @pytest.mark.figure(draw=...) on a check), and
# failed checks get a line naming the cause (course_numerics.hints: keepdims, np.where, "calls your X").
pytest_plugins = ["course_kit.grading.pytest_plugin", "course_numerics.figures", "course_numerics.hints"]
