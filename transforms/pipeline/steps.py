"""The batch step runner: what every *_batch does after its own read and map.

A step's outputs are written as Parquet files next to its inputs, in two groups with the
step's fault points around and between them (tests/faults kill a task at each), then its
counts file; a killed task never leaves half a file (each is written to a temporary name
and renamed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from transforms.kernel.faults import fault_point


@dataclass(frozen=True)
class StepOutputs:
    """What a step made of one batch: frames by file name, and its item counts.

    first: written before the step's during_write fault point; then: after it.
    options: polars write_parquet options by file name.
    """

    first: dict[str, pl.DataFrame]
    then: dict[str, pl.DataFrame]
    items_in: int
    items_out: int
    quarantined: int = 0
    unchanged: int = 0
    options: dict[str, dict] = field(default_factory=dict)


def write_frame(batch: Path, name: str, frame: pl.DataFrame, **options) -> None:
    tmp = batch / f".{name}.parquet.tmp"
    frame.write_parquet(tmp, **options)
    tmp.replace(batch / f"{name}.parquet")  # a killed task never leaves half a file


def read_frame(batch: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(batch / f"{name}.parquet")


def write_counts(batch: Path, stage: str, items_in: int, items_out: int,
                 quarantined: int, unchanged: int = 0) -> dict:
    counts = {"stage": stage, "items_in": items_in, "items_out": items_out,
              "items_quarantined": quarantined, "items_unchanged": unchanged}
    write_frame(batch, f"counts_{stage}", pl.DataFrame([counts]))
    return counts


def finish_step(batch: Path, task: str, stage: str, outputs: StepOutputs) -> dict:
    """Write a step's outputs and counts between its fault points; return the counts."""
    fault_point(task, "before_write")
    for name, frame in outputs.first.items():
        write_frame(batch, name, frame, **outputs.options.get(name, {}))
    fault_point(task, "during_write")
    for name, frame in outputs.then.items():
        write_frame(batch, name, frame, **outputs.options.get(name, {}))
    counts = write_counts(batch, stage, outputs.items_in, outputs.items_out,
                          outputs.quarantined, outputs.unchanged)
    fault_point(task, "after_write")
    return counts
