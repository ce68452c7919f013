"""Student content made inert in every page the kit renders: the HTML policy and the Markdown filter."""

from course_kit.inert.html_policy import clean
from course_kit.inert.markdown_filter import InertMarkdown

__all__ = ["InertMarkdown", "clean"]
