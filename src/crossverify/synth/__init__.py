"""Deterministic, realistic demo data: a master file, a signed request batch and its truth.

`generate` is the entry point; see `synth.plan` for the request kinds and their shares,
`synth.requests` for the traits that make a request hard, and `synth.truth` for the rule
that fixes each request's expected outcome.
"""

from crossverify.synth.generate import SynthResult, generate

__all__ = ["SynthResult", "generate"]
