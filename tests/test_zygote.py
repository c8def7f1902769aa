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


def test_preloaded_trial_data_are_copies_and_follow_the_files(tmp_path):
    """A load of preloaded data returns an equal copy; a file changed since is read again."""
    import shutil

    import pandas as pd

    from helpers.config.study import load_study
    from helpers.data import trial_data

    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_dir, ignore=shutil.ignore_patterns("examples"))
    study = load_study(None)
    saved = dict(trial_data._PRELOADED)
    try:
        trial_data.preload_trial_data(data_dir, "auto", study)
        first = trial_data.load_trial_data(data_dir, study=study)
        kept = next(iter(v for k, v in trial_data._PRELOADED.items() if k not in saved))
        assert first.adsl is not kept.adsl
        pd.testing.assert_frame_equal(first.adsl, kept.adsl)
        first.adsl.loc[:, "AGE"] = -1  # a notebook changing its copy changes nobody else's
        assert (trial_data.load_trial_data(data_dir, study=study).adsl["AGE"] >= 0).all()
        adsl = data_dir / "adsl.csv"  # the file changes: read again
        frame = pd.read_csv(adsl, dtype=str, keep_default_na=False)
        frame.loc[0, "AGE"] = "99"
        frame.to_csv(adsl, index=False)
        assert trial_data.load_trial_data(data_dir, study=study).adsl.loc[0, "AGE"] == 99
    finally:
        trial_data._PRELOADED.clear()
        trial_data._PRELOADED.update(saved)


PROBE = '''# %% tags=["parameters"]
output_dir = "."

# %%
import json, os
import helpers.data.trial_data as trial_data
os.makedirs(os.path.join(output_dir, "results"), exist_ok=True)
with open(os.path.join(output_dir, "results", "01_probe.json"), "w") as out:
    json.dump({"preloaded": len(trial_data._PRELOADED)}, out)
'''


def test_kernels_get_the_run_data_from_their_zygote(tmp_path):
    """A run's kernels find the trial data already read by their worker's zygote."""
    import yaml

    from helpers.run.execute import run

    if os.environ.get("SUPPLEMENT_FORK_KERNELS", "1") == "0":
        pytest.skip("SUPPLEMENT_FORK_KERNELS=0: kernels start as new processes")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "01_probe.py").write_text(PROBE)
    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    params["parameters"].update({"output_dir": str(tmp_path / "run"), "run_label": "probe"})
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    report = run(tmp_path / "params.yaml", workers=1, notebooks_dir=notebooks, echo=lambda line: None)
    assert report.ok, [f.error for f in report.failed]
    probe = json.loads((tmp_path / "run" / "current" / "results" / "01_probe.json").read_text())
    assert probe["preloaded"] == 1


PORT_TAKEN = r'''
import json, os, socket, sys, tempfile, time
from helpers.run import zygote
from helpers.run.execute import KERNEL_ENV
from helpers.run.plan import KERNEL_NAME

os.environ.update(KERNEL_ENV)  # as a runner's worker has it: the zygote single-threaded
z = zygote.start_zygote(os.getcwd(), KERNEL_NAME)
assert z is not None and z.ready()
taken = socket.socket()
taken.bind(("127.0.0.1", 0))
taken.listen()
free = []
for _ in range(4):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); free.append(s.getsockname()[1]); s.close()
connection = {"transport": "tcp", "ip": "127.0.0.1", "shell_port": free[0],
              "iopub_port": taken.getsockname()[1], "stdin_port": free[1],
              "control_port": free[2], "hb_port": free[3], "key": "k",
              "signature_scheme": "hmac-sha256", "kernel_name": KERNEL_NAME}
path = os.path.join(tempfile.mkdtemp(), "kernel-test.json")
with open(path, "w") as handle:
    json.dump(connection, handle)
kernel = zygote.launch([*z.command, "-f", path], dict(os.environ), os.getcwd())
assert kernel is not None, "not forked"
start = time.monotonic()
try:
    kernel.wait(timeout=30)
    print(json.dumps({"ended_after": time.monotonic() - start}))
except Exception:
    kernel.kill()
    print(json.dumps({"ended_after": None}))
'''


def test_a_kernel_whose_port_is_taken_ends_at_once():
    """Kernels started at the same moment can pick the same port; the one that cannot bind
    must end at once (jupyter_client then starts it again, helpers.run.execute), not hang in
    its exit functions until jupyter_client gives up after 60 s."""
    out = subprocess.run([sys.executable, "-c", PORT_TAKEN], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    ended = json.loads(out.stdout.strip().splitlines()[-1])["ended_after"]
    assert ended is not None and ended < 10, out.stderr[-2000:]
