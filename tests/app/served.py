"""A document that Panel takes for a served session's (it has a session context), and a count
of Bokeh's walks of a document's model graph (`DocumentModelManager.recompute`)."""

from __future__ import annotations

from bokeh.document import Document
from bokeh.document.models import DocumentModelManager


class Request:
    def __init__(self) -> None:
        self.arguments: dict[str, list[bytes]] = {}
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}


class Session:
    """Stands for a server's session context."""

    request = Request()
    id = "test-session"


def served_document() -> Document:
    """A document with a session context, as a served page's."""
    doc = Document()
    session = Session()
    doc._session_context = lambda: session
    return doc


def count_walks() -> list[int]:
    """From now on in this process, each walk of a document's model graph appends one."""
    walks: list[int] = []
    recompute = DocumentModelManager.recompute

    def counted(models: DocumentModelManager) -> None:
        walks.append(1)
        recompute(models)

    DocumentModelManager.recompute = counted
    return walks
