"""How long, and how much memory, closer takes to refuse the largest inputs its limits allow.

Each case is a catalogue just inside the file-size and structure limits but over
another limit (1 000 000 activities). Each load runs in its own child process:

* once unlimited, timing it and reading the child's peak resident memory with
  ``resource.getrusage(RUSAGE_CHILDREN)`` (a fresh measuring process per case,
  so one case's peak never hides another's);
* once under ``ulimit -v`` 1 GiB (``RLIMIT_AS``), checking that it still ends in
  closer's own one-line error and never in a ``MemoryError`` traceback.

The reference row loads the bundled catalogue (accepted) in the same run, for scale.

Usage::

    python benchmarks/refusal.py            # every case (about 2 GB of scratch files)
    python benchmarks/refusal.py --quick    # smaller cases, for a smoke run

SECURITY.md quotes the numbers this prints.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

GIB = 1 << 30
ROOT = Path(__file__).resolve().parent.parent

#: The child: optionally cap its address space, load one catalogue, report the outcome.
LOADER = """
import json, resource, sys
limit = int(sys.argv[2])
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import recommender as rc
try:
    outcome = f"loaded {len(rc.load_catalog(sys.argv[1]))} activities"
except rc.RecommenderError as exc:
    outcome = "refused: " + str(exc).splitlines()[0]
print(json.dumps(outcome))
"""

#: The measuring process: runs one child and reports its peak RSS (RUSAGE_CHILDREN).
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]],
                      capture_output=True, text=True)
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "code": done.returncode,
                  "stdout": done.stdout, "stderr": done.stderr}))
"""


def _real_records() -> list[str]:
    """The bundled activities as JSON lines, each with ``"id": "ID"`` to fill in."""
    import recommender as rc

    lines = []
    for activity in rc.default_catalog().activities:
        record = activity.model_dump(mode="json", exclude_none=True)
        record["relationships"] = sorted(record["relationships"])
        record["id"] = "ID"
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def yaml_tiny_items(folder: Path, scale: float) -> Path:
    path = folder / "tiny.yaml"
    path.write_text("- 0\n" * int(16_777_000 * scale))
    return path


def yaml_at_the_limit(folder: Path, scale: float) -> Path:
    path = folder / "at-limit.yaml"
    path.write_text("- 0\n" * int(1_000_000 * scale))
    return path


def jsonl_empty_lists(folder: Path, scale: float) -> Path:
    path = folder / "lists.jsonl"
    path.write_text("[]\n" * int(22_000_000 * scale))
    return path


def json_empty_objects(folder: Path, scale: float) -> Path:
    path = folder / "objects.json"
    n = int(22_000_000 * scale)
    path.write_text("[" + "{}," * (n - 1) + "{}]")
    return path


def yaml_values_beside_the_list(folder: Path, scale: float) -> Path:
    path = folder / "beside.yaml"
    n = int(33_000_000 * scale)
    path.write_text("version: [" + "0," * (n - 1) + "0]\nactivities: []\n")
    return path


def folder_of_real_activities(folder: Path, scale: float) -> Path:
    target = folder / "real"
    target.mkdir()
    total = int(1_000_001 * scale) if scale < 1 else 1_000_001
    per_file = 50_000
    records = _real_records()
    for start in range(0, total, per_file):
        lines = (
            records[i % len(records)].replace('"id": "ID"', f'"id": "a{i}"', 1)
            for i in range(start, min(total, start + per_file))
        )
        (target / f"part-{start // per_file:03d}.jsonl").write_text("\n".join(lines) + "\n")
    return target


CASES: dict[str, Callable[[Path, float], Path]] = {
    "YAML: 16 777 000 items `- 0` (64 MiB)": yaml_tiny_items,
    "YAML: 1 000 000 items `- 0` (at the limit: parsed)": yaml_at_the_limit,
    "JSON Lines: 22 000 000 lines `[]`": jsonl_empty_lists,
    "JSON: 22 000 000 objects `{}`": json_empty_objects,
    "YAML: 33 000 000 values beside `activities`": yaml_values_beside_the_list,
    "folder: 1 000 001 real activities (JSON Lines)": folder_of_real_activities,
}


def _measure(path: Path, memory_limit: int) -> dict[str, object]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, LOADER, str(path), str(memory_limit)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(done.stdout)
    child_out = str(result["stdout"]).strip()
    result["outcome"] = json.loads(child_out) if child_out else f"died ({result['code']})"
    result["traceback"] = "Traceback" in str(result["stderr"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="cases at 1/20 of full size")
    args = parser.parse_args()
    scale = 0.05 if args.quick else 1.0
    from recommender.catalog import default_catalog_path

    rows = [("reference: the bundled catalogue (accepted)", default_catalog_path())]
    print("machine: shared (2 cores, other jobs running); times are wall clock", file=sys.stderr)
    print(
        "| input | outcome | seconds | peak MiB | under ulimit -v 1 GiB |\n|---|---|---:|---:|---|"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for label, build in CASES.items():
            rows.append((label, build(Path(scratch), scale)))
        for label, path in rows:
            free = _measure(path, 0)
            capped = _measure(path, GIB)
            capped_text = (
                "TRACEBACK"
                if capped["traceback"]
                else str(capped["outcome"])[:60] + " (no traceback)"
            )
            print(
                f"| {label} | {str(free['outcome'])[:70]} | {float(free['seconds']):.1f} | "
                f"{float(free['peak_mib']):.0f} | {capped_text} |"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
