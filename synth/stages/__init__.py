"""Pipeline stages. Each module has NAME, VERSION, UPSTREAM, ``inputs(ctx)`` and ``run(ctx, out) -> counts``.

No stage imports another stage: they talk through the files in the run directory.
"""
