"""Grade exporters for ``nbgrader export --exporter=...``, every field safe to open in a spreadsheet."""

from course_kit.exporters.canvas import CanvasExportPlugin, export_canvas_csv
from course_kit.exporters.grades_csv import SpreadsheetSafeCsvExportPlugin
from course_kit.exporters.spreadsheet_safe import spreadsheet_cell, spreadsheet_text

__all__ = ["CanvasExportPlugin", "SpreadsheetSafeCsvExportPlugin", "export_canvas_csv", "spreadsheet_cell",
           "spreadsheet_text"]
