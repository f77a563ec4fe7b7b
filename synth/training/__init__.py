"""Training, export and calibration of synth's offline NLI verifier (`synth verifier …`)."""
