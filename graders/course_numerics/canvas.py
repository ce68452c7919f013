"""An Agg canvas that draws every figure of one size with the same renderer, so text is measured once.

matplotlib remembers the measured extent of each piece of text per renderer (``text._get_text_metrics_with_cache``),
and a fresh ``FigureCanvasAgg`` makes a fresh renderer: each feedback figure measured its tick labels, titles and
legends anew, though every figure of the graders has the same size and mostly the same texts.  One renderer per
size, per thread (a renderer holds the pixels being drawn), kept for the grading process, measures each text once:
about 10-20 ms of the 75-90 ms a figure took to draw.  The renderer is cleared before every figure, so the picture
is the same, byte for byte (tests/test_figures.py).
"""

from __future__ import annotations

import threading

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

_RENDERERS: dict[tuple[int, float, float, float], RendererAgg] = {}


class SharedRendererCanvas(FigureCanvasAgg):
    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = (threading.get_ident(), width, height, self.figure.dpi)
        if key not in _RENDERERS:
            _RENDERERS[key] = RendererAgg(width, height, self.figure.dpi)
        self.renderer = _RENDERERS[key]
        return self.renderer
