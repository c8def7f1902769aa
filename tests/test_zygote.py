"""The runner's zygote (helpers.run.zygote): what it preloads leaves it able to fork kernels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.run.zygote import PRELOAD

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="kernels are forked on Linux only (/proc, pidfd)")


def test_preloaded_zygote_stays_single_threaded():
    """Every PRELOAD module imports, and afterwards the process has one thread: a zygote
    with a second thread may not fork and starts every kernel the slow way."""
    code = ("import importlib, json, os, sys\n"
            "from helpers.run.zygote import PRELOAD\n"
            "failed = []\n"
            "for name in PRELOAD:\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except Exception as exc:\n"
            "        failed.append(f'{name}: {exc}')\n"
            "print(json.dumps({'failed': failed, 'threads': len(os.listdir('/proc/self/task'))}))\n")
    env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline",
           "JE_ARROW_MALLOC_CONF": "background_thread:false", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    assert report["threads"] == 1


def test_run_kernels_were_forked(supplement_run):
    """The session's supplement run started every kernel from its worker's zygote."""
    if os.environ.get("SUPPLEMENT_FORK_KERNELS", "1") == "0":
        pytest.skip("SUPPLEMENT_FORK_KERNELS=0: kernels start as new processes")
    log = (supplement_run / ".state" / "kernels.log").read_text(encoding="utf-8")
    assert "not forked" not in log
    assert len(PRELOAD) == len(set(PRELOAD))
