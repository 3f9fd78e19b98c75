"""Benchmarks: figures printed and written to bench/results.md; never a CI gate."""
