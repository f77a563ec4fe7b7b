"""Re-measure Huang et al. (EMNLP 2021, arXiv 2104.08645): robust training for zero-shot cross-lingual transfer.

Modules: ``data`` (loaders, protocol split, generalized pairs), ``perturb`` (RS-DA), ``train`` (baseline,
rs-da, rs-rp, adv), ``evaluate``, ``results`` (results.json, table, plot), ``presets``, ``link`` (claims ->
re-measured figures) and ``cli`` (``synth experiment robust-xlt``). Importing this package loads no torch.
"""
