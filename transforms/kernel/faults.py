"""A test-only fault hook: die (or fail a write) at a named point of a task.

`CLAIMLEDGER_FAULT=<task>:<point>[:<action>]` makes `fault_point(task, point)` act when
the names match; unset (production), it does nothing but read one environment variable.
Points are `before_write`, `during_write` and `after_write` (and `after_commit` in
load_warehouse: committed, connection still open; in build_marts `during_write` is the
first model dbt has written, in publish_warehouse the new version copied but not yet
served); actions are

- `kill` (default): SIGKILL this process, as the kernel's OOM killer or a lost node would:
  no exception, no `finally`, no atexit;
- `oserror`: raise OSError(ENOSPC), as a full disk would in the middle of a write.

tests/faults drives it; docs/security.md lists it as a test hook.
"""

from __future__ import annotations

import errno
import os
import signal

FAULT_ENV = "CLAIMLEDGER_FAULT"


def fault_armed(task: str) -> bool:
    """True when CLAIMLEDGER_FAULT names `task` (so a caller may install a hook for it)."""
    return os.environ.get(FAULT_ENV, "").partition(":")[0] == task


def fault_point(task: str, point: str) -> None:
    """Act on CLAIMLEDGER_FAULT when it names this task and point; otherwise return."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    name, _, rest = spec.partition(":")
    wanted, _, action = rest.partition(":")
    if (name, wanted) != (task, point):
        return
    if action == "oserror":
        raise OSError(errno.ENOSPC, f"No space left on device (injected at {task}:{point})")
    os.kill(os.getpid(), signal.SIGKILL)
