"""Shared helpers for the benchmark scripts: time whole processes, report medians."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Sequence


def time_process(argv: Sequence[str], runs: int, warmup: int = 2, **kwargs: object) -> float:
    """Median wall time in seconds of running ``argv`` to completion ``runs`` times."""
    for _ in range(warmup):
        subprocess.run(argv, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"
