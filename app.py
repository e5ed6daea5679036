"""partialpool app: `panel serve app.py`. The simulation figure arrives with the app issue."""

import panel as pn

pn.extension()

pn.pane.Markdown(
    "# partialpool\nNo pooling, complete pooling and partial pooling of group means."
).servable(title="partialpool")
