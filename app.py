"""partialpool app: `panel serve app.py`. One page per session (`partialpool.app.page`)."""

from partialpool.app import PoolingState
from partialpool.app.page import configure, serve_page
from partialpool.app.page import template as page

configure()
template = page(PoolingState())
serve_page(template)
