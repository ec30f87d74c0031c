"""The text of a configuration file, in the encoding its byte-order mark names.

Windows PowerShell 5 writes every redirected file (``pip freeze > requirements.txt``,
``echo X=1 > .env``) as UTF-16 with a byte-order mark, and many editors save UTF-8 with
one. pip, Docker Compose and python-dotenv read such files; so must we, or a pin is
missed and a fix writes code the pinned release rejects.
"""

from __future__ import annotations

import codecs

# Longest first: UTF-32 LE's mark starts with UTF-16 LE's.
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, errors: str = "strict") -> str:
    """``data`` decoded as its byte-order mark says (the mark dropped), else as UTF-8.
    ``errors`` as for :meth:`bytes.decode`; with "strict" a wrong encoding raises
    :class:`UnicodeDecodeError`."""
    for mark, encoding in _MARKS:
        if data.startswith(mark):
            # A file written twice with a mark (re-encoded by a tool) starts with two.
            return data[len(mark) :].decode(encoding, errors).lstrip("\ufeff")
    return data.decode("utf-8", errors)
