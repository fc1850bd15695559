"""Test-only shim, on PYTHONPATH of the scale-out deployment's processes and nowhere else.

apache-airflow-providers-celery 3.26.0 does `from celery.backends.database import retry`;
celery 5.7.0 (the version uv.lock resolves) removed that decorator because its
DatabaseBackend now retries by itself (result_backend_always_retry). Without this shim the
scheduler and the workers cannot import the CeleryExecutor at all. A pass-through decorator
keeps 5.7's own retrying. Remove this folder once uv.lock pins celery<5.7 or a provider that
no longer imports it (tests/scaleout/test_celery_scaleout.py has an xfail that says when).
"""

from __future__ import annotations


def _install() -> None:
    try:
        import celery.backends.database as database
    except ImportError:
        return
    if not hasattr(database, "retry"):
        database.retry = lambda fun: fun


_install()
