"""Throughput benchmark: claimledger's real DAG against bare trafilatura on the same pages.

`python -m bench.run --pages N` (or `make bench N=...`); see bench/run.py.
"""
