"""A paper is cited by its first author's family name with its particles, in claims, tables and BibTeX keys."""

from __future__ import annotations

import pytest

from synth.claims.decontext import paper_context
from synth.core.names import surname
from synth.core.records import Paper
from synth.report.bibtex import cite_keys


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Cristiano De Marchis", "De Marchis"),
        ("Luca Di Gaspero", "Di Gaspero"),
        ("Laurens van der Maaten", "van der Maaten"),
        ("Alexis Conneau", "Conneau"),
        ("V.B. Upadhyay", "Upadhyay"),
        ("De Marchis", "Marchis"),  # a name without a given name: the first word stays a given name
    ],
)
def test_the_family_name_keeps_its_particles(name: str, family: str) -> None:
    assert surname(name) == family


def test_a_paper_by_de_marchis_is_not_cited_as_marchis() -> None:
    paper = Paper(
        id="local:fes",
        title="Multi-contact functional electrical stimulation for hand opening",
        source="local",
        authors=["Cristiano De Marchis", "Thiago Santos Monteiro", "Alireza Gharabaghi"],
        year=2016,
    )
    assert paper_context(paper, []).ref == "De Marchis et al. (2016)"
    assert cite_keys([paper])[paper.id].startswith("demarchis2016")
