"""The sidebar's settings: the simulation's (shown for simulated data) and the row order."""

from __future__ import annotations

import panel as pn
import param

from .state import SIMULATED, SORTS, PoolingState


class SimulationSettings(pn.viewable.Viewer):
    """The simulation's settings (shown for simulated data) and the row order, as widgets made
    from the parameters: each slider's range is its parameter's (soft) bounds."""

    state = param.ClassSelector(class_=PoolingState)

    def __panel__(self) -> pn.viewable.Viewable:
        p = self.state.param
        wide = {"sizing_mode": "stretch_width"}
        counts = p.source.rx() == "simulated_counts"
        normal = p.source.rx() == "simulated"
        simulation = pn.Column(
            "### Simulation",
            pn.widgets.IntSlider.from_param(p.J, throttled=True, **wide),
            pn.widgets.IntRangeSlider.from_param(
                p.n_range,
                throttled=True,
                name=counts.rx.where("Trials n_j (from, to)", "Group sizes n_j (from, to)"),
                **wide,
            ),
            pn.widgets.FloatSlider.from_param(
                p.tau_true,
                throttled=True,
                name=counts.rx.where("True tau (logit scale)", "True tau"),
                **wide,
            ),
            pn.widgets.FloatSlider.from_param(
                p.mean_rate, throttled=True, visible=counts, css_classes=["mean-rate"], **wide
            ),
            pn.Column(
                pn.widgets.FloatSlider.from_param(p.sigma, throttled=True, **wide),
                pn.widgets.FloatInput.from_param(p.mu, **wide),
                visible=normal,
                **wide,
            ),
            pn.widgets.IntInput.from_param(p.seed, **wide),
            pn.widgets.Button.from_param(p.new_data, color="primary", **wide),
            pn.widgets.Checkbox.from_param(
                p.outlier, css_classes=["outlier-toggle"], visible=normal
            ),
            pn.Column(
                pn.widgets.FloatSlider.from_param(
                    p.outlier_shift, throttled=True, css_classes=["outlier-shift"], **wide
                ),
                pn.widgets.IntSlider.from_param(p.outlier_n, throttled=True, **wide),
                visible=p.outlier.rx().rx.and_(normal),
                **wide,
            ),
            visible=p.source.rx().rx.in_(SIMULATED),
            **wide,
        )
        return pn.Column(
            simulation,
            "### View",
            pn.widgets.RadioButtonGroup.from_param(
                p.sort,
                options={label: key for key, label in SORTS.items()},
                orientation="vertical",
                **wide,
            ),
            **wide,
        )
