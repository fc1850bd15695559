"""Great Expectations plausibility suites for claimledger's marts.

``run_quality_checks`` reads the marts read-only, validates them and returns a
``QualityOutcome``; great_expectations itself is imported only when it runs.
"""

from expectations.runner import QualityOutcome, run_quality_checks

__all__ = ["QualityOutcome", "run_quality_checks"]
