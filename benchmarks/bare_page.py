"""A bare one-figure Panel page, the baseline for the app's first render in benchmarks/app.py:
`panel serve app.py benchmarks/bare_page.py` serves both from one process."""

import numpy as np
import panel as pn
from bokeh.plotting import figure

pn.extension()

rng = np.random.default_rng(0)
fig = figure(height=400, sizing_mode="stretch_width", name="bare_figure")
fig.scatter(rng.normal(size=12), np.arange(12), size=8)
pn.pane.Bokeh(fig).servable()
