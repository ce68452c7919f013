"""Grade exporters for ``nbgrader export --exporter=...``."""

from course_kit.exporters.canvas import CanvasExportPlugin, export_canvas_csv

__all__ = ["CanvasExportPlugin", "export_canvas_csv"]
