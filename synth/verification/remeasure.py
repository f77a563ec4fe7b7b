"""Re-measured figures as evidence beside the text: the interface verify sees, whatever experiment provides them.

An experiment extra (``synth experiment robust-xlt``) re-runs a paper's experiments; its results file can then
be handed to ``synth verify`` (``verify.remeasurements``), and each numeric claim the experiment measured gets the
re-measured figure attached. Verify knows only this protocol, never an experiment's module, and reads only the
file it is given: nothing is found by scanning directories, so the same inputs always give the same verdicts.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from synth.core.records import Claim


@runtime_checkable
class Remeasurer(Protocol):
    """Matches numeric claims to an experiment's re-measured figures."""

    def identity(self) -> dict[str, str]:
        """What the figures come from (file path and sha256): part of the verify stage's fingerprint."""
        ...

    def remeasure(self, claim: Claim) -> dict[str, Any] | None:
        """The re-measured figure for ``claim`` (JSON-safe), or None when the experiment did not measure it."""
        ...
