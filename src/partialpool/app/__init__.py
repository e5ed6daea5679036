"""The Panel app: `state` holds the settings and what the core computes from them, `views` draws.

Importing this package needs the `app` extra (panel, bokeh, param); the core does not.
"""

from .state import SimulationState

__all__ = ["SimulationState"]
