"""Scores of a ``bench/mutation.sh`` run, from the ``.meta`` files mutmut leaves.

    python bench/mutation_score.py mutants/auth auth 312 "gateway/auth.py"
    # auth: 61 killed, 9 survived, 0 timeout, 0 no tests, 70 total, 87.1% (312 s)
    python bench/mutation_score.py --table mutants auth crypto
    # | auth | gateway/auth.py | 61 | 9 | 0 | 0 | 0 | 70 | 87.1% | 312 s |

A module's mutants are those of its files whose names match its filters (all of them
without filters), so a module that mutates only part of a file (``_verified`` in
``gateway/ingress.py``) is scored on that part alone. The score counts killed and
timed-out mutants against every mutant, so one no test reaches counts against it.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code


def module_score(directory: Path, sources: list[str], filters: list[str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for source in sources:
        meta = directory / "mutants" / f"{source}.meta"
        if not meta.exists():
            continue
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        for key, exit_code in exit_codes.items():
            if filters and not any(fnmatch.fnmatch(key, pattern) for pattern in filters):
                continue
            counts[status_by_exit_code[exit_code]] += 1
    return dict(counts)


def percent(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    caught = counts.get("killed", 0) + counts.get("timeout", 0)
    return f"{100 * caught / total:.1f}%" if total else "n/a"


def summary(name: str, counts: dict[str, int], elapsed: int) -> str:
    shown = ", ".join(
        f"{counts.get(status, 0)} {status}"
        for status in ("killed", "survived", "timeout", "no tests", "not checked")
    )
    other = sum(counts.values()) - sum(
        counts.get(s, 0) for s in ("killed", "survived", "timeout", "no tests", "not checked")
    )
    extra = f", {other} other" if other else ""
    return f"{name}: {shown}{extra}, {sum(counts.values())} total, {percent(counts)} ({elapsed} s)"


def table(work: Path, names: list[str]) -> None:
    print(
        "| module | files | killed | survived | timeout | no tests | other | total | score | time |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        path = work / name / "score.json"
        if not path.exists():
            print(f"| {name} | not run | | | | | | | | |")
            continue
        score = json.loads(path.read_text())
        counts: dict[str, int] = score["counts"]
        main = ("killed", "survived", "timeout", "no tests")
        other = sum(v for k, v in counts.items() if k not in main)
        cells = [str(counts.get(status, 0)) for status in main]
        print(
            f"| {name} | {', '.join(score['sources'])} | {' | '.join(cells)} | {other} "
            f"| {sum(counts.values())} | {percent(counts)} | {score['elapsed_seconds']} s |"
        )


def main(argv: list[str]) -> None:
    if argv[0] == "--table":
        table(Path(argv[1]), argv[2:])
        return
    directory, name, elapsed, sources, filters = (
        Path(argv[0]),
        argv[1],
        int(argv[2]),
        argv[3].split(),
        argv[4:],
    )
    counts = module_score(directory, sources, filters)
    (directory / "score.json").write_text(
        json.dumps(
            {
                "module": name,
                "sources": sources,
                "filters": filters,
                "counts": counts,
                "elapsed_seconds": elapsed,
            },
            indent=2,
        )
    )
    print("   " + summary(name, counts, elapsed))


if __name__ == "__main__":
    main(sys.argv[1:])
