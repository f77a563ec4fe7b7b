"""The stage contract, the context stages run in, and the runner that skips what is up to date.

The stages themselves are listed in :mod:`synth.stages`; this package never imports them.
"""

from synth.pipeline.base import Stage, StageContext
from synth.pipeline.runner import run_stages, stage_fingerprint

__all__ = ["Stage", "StageContext", "run_stages", "stage_fingerprint"]
