"""Benchmarks and the load generator: `python -m bench.run` (docs/benchmarks.md)."""
