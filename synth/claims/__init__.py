"""Claim extraction: the checkable findings of each paper as complete, self-contained, typed sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synth.claims.base import Extractor
    from synth.core.settings import ClaimsSettings


def get_extractor(settings: ClaimsSettings) -> Extractor:
    """The extractor ``settings.extractor`` names: ``rules`` (offline default) or ``llm``."""
    if settings.extractor == "llm":
        from synth.claims.llm import LLMExtractor

        return LLMExtractor(settings)
    from synth.claims.rules import RulesExtractor

    return RulesExtractor()
