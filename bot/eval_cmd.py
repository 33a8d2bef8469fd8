"""`stairbot eval FILE [--json]`: score the classifier on a labelled JSONL corpus."""

from __future__ import annotations

import json
import sys

from nlp import analyze
from nlp.corpus import CorpusError, Record, iter_records
from nlp.evaluation import errors, format_report, score


def run_eval(path: str, as_json: bool) -> int:
    """Print the evaluation of `path` (JSON object or text report); 2 if it cannot be read."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"stairbot eval: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    records: list[Record] = []
    for item in iter_records(lines):
        if isinstance(item, CorpusError):
            print(f"stairbot eval: {path}: line {item.line}: {item.reason}", file=sys.stderr)
        else:
            records.append(item)
    predictions = [analyze(r.text) for r in records]
    result = score(records, predictions)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_report(result, errors(records, predictions)))
    return 0
