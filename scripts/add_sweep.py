"""`momento-lambda add --dry-run` over field-test folders: counts added / refused by reason / crashed.

    python scripts/add_sweep.py FOLDERS_JSONL OUT_JSONL

FOLDERS_JSONL: one JSON object per line with a ``folder``. Plans only (nothing is written)."""

from __future__ import annotations

import json
import signal
import sys
import traceback
from collections import Counter
from pathlib import Path

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import load_project
from momento_lambda_cli.retrofit.plan import AddOptions, plan_add


class Slow(Exception):
    pass


def _alarm(*_: object) -> None:
    raise Slow()


def main() -> int:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    folders = [json.loads(line).get("folder") for line in source.read_text().splitlines() if line.strip()]
    signal.signal(signal.SIGALRM, _alarm)
    counts: Counter[str] = Counter()
    with out.open("w") as handle:
        for folder in [f for f in folders if f]:
            signal.alarm(60)
            record: dict[str, object] = {"folder": folder}
            try:
                project = load_project(Path(folder), environ={})
                plan = plan_add(project, AddOptions())
                record.update(outcome="added", functions=plan.functions, files=len(plan.changes))
            except MomentoLambdaError as exc:
                record.update(outcome="refused", code=exc.code, message=exc.message[:300])
            except Slow:
                record.update(outcome="timeout")
            except Exception as exc:
                record.update(
                    outcome="crash", error=f"{type(exc).__name__}: {exc}"[:300], tb=traceback.format_exc()[-1500:]
                )
            finally:
                signal.alarm(0)
            key = str(record["outcome"]) + (f" {record['code']}" if record.get("code") else "")
            counts[key] += 1
            handle.write(json.dumps(record) + "\n")
    for key, count in counts.most_common():
        print(f"{count:5d}  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
