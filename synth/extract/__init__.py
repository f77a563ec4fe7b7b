"""Claim extraction: the checkable findings of each paper as complete, self-contained, typed sentences."""
