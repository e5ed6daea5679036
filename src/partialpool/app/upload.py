"""The CSV upload box: a drop zone and a file button that send one file to the server in
chunks, refused in the page when it is larger than the limit and on the server the moment the
chunks received exceed it.

A `JSComponent` with its script inline in the page's document, in place of Panel's FileDropper:
that widget makes every page load FilePond (eight files, 270 KB) though the box is built only
when "Your CSV file" is chosen, and each request costs the server about 3 ms per session
(benchmarks/sessions.py).
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import param
from panel.custom import JSComponent

from ..csvfile import MAX_UPLOAD_BYTES

CHUNK_BYTES = 2**20
"""Bytes of the file per message (base64: 4/3 as many characters on the websocket)."""

MAX_NAME = 255
"""Longest file name read, in characters."""

UPLOAD_ESM = """
const IDLE = "Drop a CSV file here or ";

export function render({ model, el }) {
  const zone = document.createElement("label");
  zone.className = "drop-zone";
  const input = document.createElement("input");
  input.type = "file";
  input.accept = model.accept;
  const text = document.createElement("span");
  text.className = "drop-text";
  const idle = () => {
    const browse = document.createElement("u");
    browse.textContent = "browse";
    text.replaceChildren(IDLE, browse);
  };
  idle();
  zone.append(input, text);
  el.append(zone);

  const read = (blob) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.slice(reader.result.indexOf(",") + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });

  let busy = false;
  const send = async (file) => {
    if (busy) return;
    if (file.size > model.limit) {
      text.textContent = `${file.name}: File is too large (max ${model.limit_text})`;
      model.send_msg({ kind: "too_large", name: file.name });
      return;
    }
    busy = true;
    const size = model.chunk_bytes;
    const total = Math.max(1, Math.ceil(file.size / size));
    try {
      for (let chunk = 1; chunk <= total; chunk++) {
        text.textContent = `Sending ${file.name}: ${Math.floor((100 * (chunk - 1)) / total)} %`;
        const data = await read(file.slice((chunk - 1) * size, chunk * size));
        model.send_msg({ kind: "chunk", name: file.name, chunk, total, data });
      }
      text.textContent = `Sent ${file.name}`;
    } catch (err) {
      text.textContent = `${file.name}: could not be read (${err})`;
    } finally {
      busy = false;
    }
  };

  input.addEventListener("change", () => {
    if (input.files.length) send(input.files[0]);
    input.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files.length) send(event.dataTransfer.files[0]);
  });
}
"""

UPLOAD_CSS = """
.drop-zone { display: flex; align-items: center; justify-content: center; min-height: 56px;
  padding: 8px 12px; border: 1.5px dashed #8a94a6; border-radius: 6px; background: #f3f5f8;
  color: #333; font-size: 14px; text-align: center; cursor: pointer; overflow-wrap: anywhere; }
.drop-zone.over { border-color: #0d6efd; background: #e7f0ff; }
.drop-zone:focus-within { outline: 2px solid #0d6efd; outline-offset: 1px; }
.drop-zone input[type=file] { position: absolute; width: 1px; height: 1px; opacity: 0; }
"""


@dataclass
class _Receiving:
    """The file whose chunks are arriving: its name, its number of chunks, the chunks so far."""

    name: str
    total: int
    parts: list[bytes] = field(default_factory=list)
    size: int = 0


class CsvUpload(JSComponent):
    """One file at a time, sent in `chunk_bytes` chunks; a complete file arrives in `value`
    ({name: bytes}), a file over `limit` bytes in `too_large` (its name, set again for each
    refusal). A message that is not the next chunk of the file being received drops it."""

    accept = param.String(".csv,text/csv,text/plain")
    limit = param.Integer(MAX_UPLOAD_BYTES, bounds=(1, None))
    limit_text = param.String(f"{MAX_UPLOAD_BYTES // 2**20} MB")
    chunk_bytes = param.Integer(CHUNK_BYTES, bounds=(1, None))
    value = param.Dict({}, doc="the last complete file: {name: bytes}")
    too_large = param.String("", doc="name of the last file refused for its size")

    _esm = UPLOAD_ESM
    _stylesheets: ClassVar[list[str]] = [UPLOAD_CSS]
    _rename: ClassVar[dict[str, str | None]] = {"value": None, "too_large": None}  # server only

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._receiving: _Receiving | None = None

    def _refuse(self, name: str) -> None:
        self._receiving = None
        if self.too_large == name:
            self.param.trigger("too_large")
        else:
            self.too_large = name

    def _handle_msg(self, msg: Any) -> None:
        """A message from the page: {"kind": "too_large", "name"} or {"kind": "chunk", "name",
        "chunk" (from 1), "total", "data" (base64)}; anything else is dropped."""
        if not isinstance(msg, dict):
            return
        name = msg.get("name")
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
            return
        if msg.get("kind") == "too_large":
            self._refuse(name)
            return
        chunk, total, data = msg.get("chunk"), msg.get("total"), msg.get("data")
        most = max(1, math.ceil(self.limit / self.chunk_bytes))
        if chunk == 1:
            self._receiving = _Receiving(name, total) if type(total) is int else None
        receiving = self._receiving
        if not (
            msg.get("kind") == "chunk"
            and receiving is not None
            and (receiving.name, receiving.total) == (name, total)
            and type(chunk) is int
            and chunk == len(receiving.parts) + 1
            and total <= most
            and isinstance(data, str)
        ):
            self._receiving = None
            return
        try:
            part = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            self._receiving = None
            return
        receiving.size += len(part)
        if receiving.size > self.limit:
            self._refuse(name)
            return
        receiving.parts.append(part)
        if chunk == total:
            self._receiving = None
            self.value = {name: b"".join(receiving.parts)}
