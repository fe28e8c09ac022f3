"""One line describing the machine a benchmark ran on (CPU, cores, versions, load)."""

from __future__ import annotations

import os
import platform

import numpy as np


def machine_line(*extra: str) -> str:
    """CPU model, core count, Python and numpy versions, `extra` versions, 1-minute load."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = ", ".join((f"Python {platform.python_version()}", f"numpy {np.__version__}", *extra))
    return f"{model}, {os.cpu_count()} cores, {versions}, load average {os.getloadavg()[0]:.2f} at start"
