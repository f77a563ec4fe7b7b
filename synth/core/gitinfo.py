"""The git commit synth runs from (recorded in manifests and benchmark files), when it runs from a checkout."""

from __future__ import annotations

from pathlib import Path


def git_sha(root: Path | None = None) -> str | None:
    """The first 12 hex digits of HEAD's commit, or None outside a git checkout."""
    head = (root or Path(__file__).resolve().parents[2]) / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            return (head.parent / ref[5:]).read_text().strip()[:12]
        return ref[:12]
    except OSError:
        return None
