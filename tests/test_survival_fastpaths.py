"""The survival core's fast paths give the same bits as before and as the general paths.

- ``test_fingerprint_unchanged``: every float of many KM / log-rank / Cox / PH / RMST /
  subgroup analyses and of simulated trials hashes as recorded before the survival core was
  reworked to sort once per analysis (issue 23; ``tests/survival_fingerprint.py``). The
  last bits depend on the numpy build, so the check runs on the platform it was recorded on.
"""
from __future__ import annotations

import platform
import sys

import numpy as np
import pytest

from tests.survival_fingerprint import fingerprint

#: recorded with the code before issue 23 (commit 7b8fc37), numpy 2.4.6, x86_64 Linux
RECORDED = {
    "platform": ("2.4.6", "x86_64", "linux"),
    "survival": "209873423436086dc721bec7533d64f5dafae15b67703f94e4954a3169812f46",
    "simulation": "0a12e9e0f5dee98d1f2257cb6a887e51d238407f3ce5d246745af17623cf6e1f",
}

same_platform = pytest.mark.skipif(
    (np.__version__, platform.machine(), sys.platform) != RECORDED["platform"],
    reason="fingerprint recorded with another numpy build (last bits of exp/log may differ)")


@same_platform
@pytest.mark.parametrize("which", ["survival", "simulation"])
def test_fingerprint_unchanged(which):
    assert fingerprint(which) == RECORDED[which]
