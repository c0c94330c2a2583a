"""Benchmarks of crossverify: `make bench` (= `python -m bench`) writes docs/benchmarks.md.

Each measured step runs in a fresh child process (`bench._child`) so that its peak memory is
its own; see bench/README.md for what each benchmark does and what its numbers mean.
"""
