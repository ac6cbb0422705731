"""Readers never fail while a writer imports: `analysis report` and the dashboard's queries, in a loop, in
their own process, against a real `python -m scrapers import` of thousands of allsides articles."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from core.store import Store
from scrapers.importer import BATCH
from tests.conftest import REPO_ROOT, require_shared
from tests.helpers import run_cli

# Three of the import's transactions (BATCH articles each) and a part: readers see the store grow between them.
ARTICLES = 2 * BATCH + 2000

READER = textwrap.dedent(
    """
    import contextlib, io, json, sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from analysis.__main__ import main
    from core.settings import Settings
    from dashboard import queries

    db, stop = {db!r}, Path({stop!r})
    settings = Settings.load({{"db": db}})
    rounds = []
    while True:
        last = stop.exists()  # one more round after the writer ended
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["report", "--db", db, "--format", "csv"])
        catalogue = queries.catalogue(db, settings)  # what the dashboard loads on every data version
        version = queries.data_version(db, settings)
        rows = out.getvalue().splitlines()[1:]
        rounds.append({{"code": code, "err": err.getvalue(), "outlets": len(rows), "catalogue": len(catalogue),
                        "version": version, "during": not last}})
        if last:
            break
    print(json.dumps(rounds))
    """
)


def test_report_and_dashboard_read_while_an_import_writes(tmp_path: Path) -> None:
    basil = require_shared("corpora", "basil", "articles.jsonl")
    corpus = tmp_path / "allsides.jsonl"
    with gzip.open(require_shared("corpora", "allsides_abp", "articles.jsonl.gz"), "rt", encoding="utf-8") as src:
        corpus.write_text("".join(itertools.islice(src, ARTICLES)), encoding="utf-8")
    db, stop = tmp_path / "rw.db", tmp_path / "writer-ended"
    assert run_cli("scrapers", "import", str(basil), "--db", str(db)).returncode == 0  # readers start on data

    env = {k: v for k, v in os.environ.items() if k != "PRESSLENS_DB"}
    env.update(TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="", OMP_NUM_THREADS="1")
    reader = subprocess.Popen([sys.executable, "-c", READER.format(root=str(REPO_ROOT), db=str(db), stop=str(stop))],
                              cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer = subprocess.run([sys.executable, "-m", "scrapers", "import", str(corpus), "--db", str(db)],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    stop.touch()
    out, err = reader.communicate(timeout=600)
    assert writer.returncode == 0, writer.stderr
    inserted = int(re.search(r"stored: (\d+) new", writer.stdout).group(1))
    assert inserted > ARTICLES * 0.9, writer.stdout
    assert reader.returncode == 0, err
    rounds = json.loads(out)
    during = [r for r in rounds if r["during"]]
    assert len(during) >= 5, f"only {len(during)} reads overlapped the import"
    assert [r for r in rounds if r["code"] != 0 or r["err"]] == []  # never an error, never "database is locked"
    seen = [r["catalogue"] for r in rounds]
    assert seen == sorted(seen) and seen[0] >= 228  # readers see whole committed batches, growing
    assert len(set(seen)) >= 3, seen  # and they did read in the middle of the import
    assert [r["version"] for r in rounds] == sorted(r["version"] for r in rounds)
    with Store.open(db, readonly=True) as store:
        assert store.count("articles") == seen[-1] == 228 + inserted  # the last read saw every article
    print(f"reads during the import: {len(during)}; article counts seen: {sorted(set(seen))[:5]}...")
