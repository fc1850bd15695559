"""claimledger transforms: the pipeline's logic, importable without Airflow.

Stages are modules named for what they do (fetch, extract, clean, sentences,
figures, claims, warehouse). Text logic is polars frame in, frame out; I/O lives
in its own small modules. Nothing here imports Airflow.
"""
