"""The stylesheets shared by the HTML boxes (the MSE table, the tau readout, captions, problems),
and the box the tabs write their changing text into."""

from bokeh.models import Div

CSS = """
.mse-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.mse-table th, .mse-table td { padding: 4px 6px; border-bottom: 1px solid #ddd; text-align: right; }
.mse-table th:first-child, .mse-table td:first-child { text-align: left; }
.mse-table .estimator { white-space: nowrap; }
.mse-table tr.best { background: #e3f4e6; font-weight: 600; }
.mse-table .best-mark { color: #1a7a36; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
.caption { color: #555; font-size: 12px; }
.tau-readout { font-size: 14px; line-height: 1.5; }
@media (max-width: 700px) {
  .mse-table { font-size: 13px; }
  .mse-table th, .mse-table td { padding: 3px 3px; }
}
.problem { background: #fff3cd; border: 1px solid #e0c36a; padding: 6px 10px; border-radius: 4px; }
.computing { background: #e7f1fb; border: 1px solid #9cc3e8; padding: 6px 10px; border-radius: 4px;
}
"""

CAPTION_CSS = ".caption { color: #555; font-size: 12px; margin: 2px 0; }"


def text_box(
    css_class: str, text: str = "", *, visible: bool = True, stylesheet: str = CAPTION_CSS
) -> Div:
    """A Bokeh Div for text a view rewrites, found in the page by `css_class`.

    Not a Panel HTML pane: Panel (1.9.4) restyles a pane whose text changes while its tab is
    hidden (and its model out of the page) with stylesheets from its CDN, which the page then
    requests; a Div's text reaches the page as it is."""
    return Div(
        text=text,
        css_classes=[css_class],
        stylesheets=[stylesheet],
        sizing_mode="stretch_width",
        visible=visible,
    )
