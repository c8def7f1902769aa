"""Time the book without Quarto: `python -m helpers.render book PARAMS` on an executed run.

The notebooks are run once into a temporary directory (not timed), then the render (pandoc to
the chunked HTML book and to Typst, Typst to PDF) is timed `--repeat` times. Target on 2
cores: well under a minute; today a few seconds. runs/default is left alone.

    python benchmarks/bench_render.py [--params params/default.yaml] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0


def run(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params/default.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        params = yaml.safe_load((ROOT / args.params).read_text())
        params["parameters"]["output_dir"] = str(Path(tmp) / "run")
        params_file = Path(tmp) / "params.yaml"
        params_file.write_text(yaml.safe_dump(params, sort_keys=False))
        notebooks = run([sys.executable, "-m", "helpers.run", str(params_file), "--workers", "2"])
        print(f"notebooks (not part of the render): {notebooks:.1f} s")
        times = [run([sys.executable, "-m", "helpers.render", "book", str(params_file)])
                 for _ in range(args.repeat)]
        book = Path(tmp) / "run" / "_book"
        pages = len(list(book.glob("*.html")))
        pdf_kb = sum(p.stat().st_size for p in book.glob("*.pdf")) / 1024
        print(f"render book (HTML {pages} pages + PDF {pdf_kb:.0f} kB): median "
              f"{statistics.median(times):.1f} s, min {min(times):.1f} s over {len(times)} "
              f"(target < {TARGET_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
