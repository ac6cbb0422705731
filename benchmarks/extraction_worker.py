"""One checkout's cascade, timed on command: the worker behind benchmarks/extraction.py --against.

    python benchmarks/extraction_worker.py CHECKOUT BENCH_DIR [PAGE_ID ...]

Imports ``scrapers.extract.cascade`` from CHECKOUT (the whole package: that checkout's helper modules
too, readability_text among them, not the caller's), reads the dev pages of BENCH_DIR (all, or the ids
given), then answers each line on stdin with one JSON line on stdout:

- ``pass``: one extraction pass over the pages; ``{"seconds": CPU seconds of the pass}``;
- ``texts``: the last pass's text per page id, ``{"texts": {...}}`` ("" where it failed).

Each side of a comparison runs in its own worker, so the two never share a module.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
import time
import warnings
from pathlib import Path


def main(argv: list[str]) -> int:
    checkout, bench, *ids = argv
    sys.path.insert(0, str(Path(checkout).resolve()))
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.CRITICAL)
    from scrapers.extract.cascade import extract  # the checkout's, by the path set above

    urls = json.loads((Path(bench) / "urls.json").read_text("utf-8"))
    pages = {pid: gzip.decompress((Path(bench) / "html" / f"{pid}.html.gz").read_bytes()) for pid in ids or urls}
    texts: dict[str, str] = {}
    for command in sys.stdin:
        if command.strip() == "pass":
            start = time.process_time()
            for pid, raw in pages.items():
                try:
                    texts[pid] = extract(raw, urls[pid]).text
                except Exception:  # noqa: BLE001 - a failing page scores as empty, as in extraction.py
                    texts[pid] = ""
            answer: dict[str, object] = {"seconds": time.process_time() - start}
        elif command.strip() == "texts":
            answer = {"texts": texts}
        else:
            answer = {"error": f"unknown command {command.strip()!r}: pass or texts"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
