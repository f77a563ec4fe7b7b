"""The grammar of arXiv identifiers, defined once: new style ``2104.08645v2`` (4 or 5 digits after the dot) and
old style ``hep-th/9901001v1`` or ``math.AG/0309136``, each with an optional version.

Ids never become paths (the cache is keyed by content hash), but they are checked against this grammar before
they are sent to arXiv, linked in a report or read from a PDF's margin stamp.
"""

from __future__ import annotations

import re

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
NEW_ID = re.compile(rf"^({_NEW})(?:v(\d+))?$")
OLD_ID = re.compile(rf"^({_OLD})(?:v(\d+))?$")
# the stamp arXiv prints in a PDF's left margin: "arXiv:2104.08645v2 [cs.CL] 18 Apr 2021"
STAMP = re.compile(rf"arXiv:\s*((?:{_NEW}|{_OLD})(v\d+)?)\s*\[([^\]]+)\]\s*(\d{{1,2}}\s+\w{{3}}\s+(\d{{4}}))?")
# a PDF named by its versioned arXiv id, as arXiv serves them: "2104.08645v2.pdf"
FILE_STEM = re.compile(rf"^({_NEW}v\d+)$")


def split_id(arxiv_id: str) -> tuple[str, int] | None:
    """``'2104.08645v2'`` → ``('2104.08645', 2)``; version 0 when none is given; None if not an arXiv id."""
    for pattern in (NEW_ID, OLD_ID):
        m = pattern.match(arxiv_id)
        if m:
            return m.group(1), int(m.group(2) or 0)
    return None


def is_arxiv_id(text: str) -> bool:
    return split_id(text) is not None


def first_year(arxiv_id: str) -> int | None:
    """The year an id was first submitted (its ``YYMM`` prefix, or the old style's ``/YYMMNNN``): the year a paper is
    cited by, whatever the year of the version a PDF's stamp shows ("1705.02364v5 … 8 Jul 2018" is 2017's paper)."""
    parts = split_id(arxiv_id)
    if parts is None:
        return None
    yy = int(parts[0].split("/")[-1][:2])
    return (1900 if yy >= 91 else 2000) + yy  # arXiv began in August 1991
