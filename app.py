"""partialpool app: `panel serve app.py`. One page per session (`partialpool.app.page`)."""

from partialpool.app import PoolingState
from partialpool.app.page import configure
from partialpool.app.page import template as page

configure()
template = page(PoolingState())
template.servable(title="partialpool")
