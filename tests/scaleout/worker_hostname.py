"""hostname_callable for the scale-out test's Celery workers.

Both workers run on this machine, so the default callable (the FQDN) would record the
same task_instance.hostname for both; each worker's environment names it instead.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    """'<worker>.<machine>' from CLAIMLEDGER_SCALEOUT_WORKER, else the machine's FQDN."""
    worker = os.environ.get("CLAIMLEDGER_SCALEOUT_WORKER")
    return f"{worker}.{socket.getfqdn()}" if worker else socket.getfqdn()
