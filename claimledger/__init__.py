"""claimledger tools: the CLI, the Airflow entry point and the evaluations (not the pipeline)."""
