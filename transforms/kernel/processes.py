"""A child process that must not outlive the process that started it.

A `make run` killed with SIGKILL (or a closed terminal) gives its children no chance to
clean up. The DAG process it started would go on as an orphan, keep the warehouse's run
lease alive and make the next `make run` refuse to start. Linux can deliver a signal to a
process when its parent dies (prctl PR_SET_PDEATHSIG); the DAG process and the stage
pool's workers ask for SIGKILL, so a killed run leaves no process behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PARENT_PID_ENV = "CLAIMLEDGER_PARENT_PID"


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Have the kernel SIGKILL this process when its parent dies; True where it can.

    The request holds from now on, so a parent that died a moment before it is seen by
    comparing os.getppid() with `expected_parent` (the pid the parent wrote in the
    environment): then this process exits at once, as the signal would have ended it.
    Off Linux nothing is asked and False is returned.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(128 + signal.SIGKILL)
    return True


def die_with_parent_from_env() -> bool:
    """die_with_parent for a process started with PARENT_PID_ENV set (the DAG process)."""
    parent = os.environ.get(PARENT_PID_ENV)
    if not parent:
        return False
    return die_with_parent(int(parent))
