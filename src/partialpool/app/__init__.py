"""The Panel app: `state` holds the settings and what the core computes from them; the view
modules draw it.

Importing this package needs the `app` extra (panel, bokeh, param); the core does not.
"""

from .state import PoolingState

__all__ = ["PoolingState"]
