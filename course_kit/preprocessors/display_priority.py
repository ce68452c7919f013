"""The kit's feedback steps take nbconvert's ``display_data_priority`` setting as every nbconvert step does.

nbconvert's ``HTMLExporter`` puts ``NbConvertBase.display_data_priority`` in its default configuration,
and each preprocessor it runs inherits that section.  nbgrader's ``NbGraderPreprocessor`` redeclares the
trait without ``config=True``, so traitlets logs "Config option `display_data_priority` not recognized
by `ClearHiddenTests`" (and by every step built on it) at each ``generate_feedback``: noise an instructor
learns to skip, right where a real configuration error would be printed.  The steps the kit runs in the
feedback declare the trait configurable again; none of them reads its value.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import List


class TakesDisplayPriority(NbGraderPreprocessor):
    display_data_priority = List(
        NbGraderPreprocessor.class_traits()["display_data_priority"].default(),
        help="nbconvert's output priority, which the HTML exporter hands to every step (unused here).",
    ).tag(config=True)


class ClearHiddenTestRegions(TakesDisplayPriority, ClearHiddenTests):
    """nbgrader's ClearHiddenTests, quiet under the HTML exporter's configuration."""
