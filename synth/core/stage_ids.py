"""The stage ids: each is the name of the stage's folder in a run directory, numbered in pipeline order.

Defined here, at the bottom, because the run directory's layout is read by the report, the table and the audit
as well as written by the stages.
"""

from __future__ import annotations

SEARCH = "01_search"
PARSE = "02_parse"
CHUNK = "03_chunk"
INDEX = "04_index"
CLAIMS = "05_claims"
VERIFY = "06_verify"
SYNTHESIS = "07_synthesis"
REPORT = "08_report"

ORDER: tuple[str, ...] = (SEARCH, PARSE, CHUNK, INDEX, CLAIMS, VERIFY, SYNTHESIS, REPORT)

# the command that makes each stage's output, for messages that say what to run
MADE_BY: dict[str, str] = {
    SEARCH: "synth search",
    PARSE: "synth ingest RUN",
    CHUNK: "synth ingest RUN",
    INDEX: "synth ingest RUN",
    CLAIMS: "synth claims RUN",
    VERIFY: "synth verify RUN",
    SYNTHESIS: "synth synthesize RUN",
    REPORT: "synth report RUN",
}
