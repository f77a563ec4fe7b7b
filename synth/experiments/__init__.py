"""Experiments that re-measure published results (robust cross-lingual transfer, ...)."""
