"""Benchmarks: figures printed and written to bench/results.md; never a CI gate.

``python -m bench.titles [--quick]``: the title index and on-demand AniList look-ups (issue 14), apart.
"""
