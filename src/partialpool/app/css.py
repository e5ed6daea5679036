"""The stylesheet shared by the HTML panes: the MSE table, the tau readout, captions, problems."""

CSS = """
.mse-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.mse-table th, .mse-table td { padding: 4px 6px; border-bottom: 1px solid #ddd; text-align: right; }
.mse-table th:first-child, .mse-table td:first-child { text-align: left; white-space: nowrap; }
.mse-table tr.best { background: #e3f4e6; font-weight: 600; }
.mse-table .best-mark { color: #1a7a36; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
.caption { color: #555; font-size: 12px; }
.tau-readout { font-size: 14px; line-height: 1.5; }
.problem { background: #fff3cd; border: 1px solid #e0c36a; padding: 6px 10px; border-radius: 4px; }
"""
