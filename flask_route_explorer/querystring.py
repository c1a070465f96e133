"""Reading a raw query string that may hold bytes that are not UTF-8, as every face must."""

from __future__ import annotations

from urllib.parse import quote

#: What a query string keeps as it is: printable ASCII, its own escapes and separators included.
_QUERY_SAFE = "".join(chr(code) for code in range(0x21, 0x7F))


def escaped_query_string(raw: bytes) -> str:
    """A raw query string with every byte outside printable ASCII percent-escaped, as a browser sends it.

    Werkzeug decodes the query string as strict UTF-8 before parsing it (``request.args``), so raw
    bytes that are not UTF-8 (``?q=\\xff``, which a client may send and PEP 3333 passes on as
    latin-1 text) make it raise. Escaped, the query reads as its escaped form does: ``%FF`` stays
    ``%FF`` and UTF-8 bytes read as their text.
    """
    return raw.decode("ascii") if raw.isascii() else quote(raw, safe=_QUERY_SAFE)
