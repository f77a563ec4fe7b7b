"""The `synth` command line."""

from synth.cli.app import app, main

__all__ = ["app", "main"]
