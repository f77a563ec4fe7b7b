"""The pipeline's stages in order, and which of them each stage command runs.

Each stage is thin: it reads the records earlier stages wrote, calls domain code, and writes its own records.
No stage imports another stage; they talk through the files in the run directory.
"""

from __future__ import annotations

from synth.pipeline.base import Stage
from synth.stages.chunk import ChunkStage
from synth.stages.claims import ClaimsStage
from synth.stages.index import IndexStage
from synth.stages.parse import ParseStage
from synth.stages.report import ReportStage
from synth.stages.search import SearchStage
from synth.stages.synthesize import SynthesisStage
from synth.stages.verify import VerifyStage

STAGES: list[Stage] = [
    SearchStage(),
    ParseStage(),
    ChunkStage(),
    IndexStage(),
    ClaimsStage(),
    VerifyStage(),
    SynthesisStage(),
    ReportStage(),
]
COMMANDS: dict[str, list[Stage]] = {
    "search": STAGES[:1],
    "ingest": STAGES[1:4],
    "claims": STAGES[4:5],
    "verify": STAGES[5:6],
    "synthesize": STAGES[6:7],
    "report": STAGES[7:8],
}
