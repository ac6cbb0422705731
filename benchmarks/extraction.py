"""Benchmark body-text extraction on the dev split in ../shared/bench/extraction.

Prints, per extractor and for the cascade in scrapers/extract/cascade.py: F1, precision and
recall by the benchmark's own score.py, and pages per second (CPU time of this
process, median of --runs runs), then the leave-one-site-out F1 of the cascade's four
tuned thresholds (each site's pages scored with the values chosen on the other sites),
and a last summary line.

    OMP_NUM_THREADS=1 python benchmarks/extraction.py [--shared ../shared] [--runs 3] [--quick]

With ``--against CHECKOUT`` it only times this cascade against another checkout's (say a
``git worktree`` of the previous commit) and trafilatura's defaults, passes alternating
(each cascade in a worker process of its own: benchmarks/extraction_worker.py): the way
to compare speeds on a shared machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import logging
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # newspaper: no network
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrapers.extract import cascade as ex  # noqa: E402 - after the path set-up above
from scrapers.extract import html_tree, vote  # noqa: E402

Extractor = Callable[[bytes, str], str]
# the grids the tuned thresholds were chosen from (see scrapers/extract/vote.py)
COVERAGE_GRID = (0.8, 0.9, 0.95, 0.98, 1.01)  # 1.01: never nested
RATIO_GRID = (1.25, 1.5, 2.0, 3.0, 99.0)  # 99: never an extension
LINK_SHARE_GRID = (0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never a link line
LINK_WORDS_GRID = (4, 5, 6, 8)
Thresholds = tuple[float, float, float, int]  # coverage, ratio, link share, link line words


def load_scorer(bench: Path) -> ModuleType:
    """Import the benchmark's score.py by path."""
    spec = importlib.util.spec_from_file_location("extraction_score", bench / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def extractors(quick: bool) -> dict[str, Extractor]:
    """The extractors to compare, each on raw page bytes (name -> function)."""
    import html_text
    import trafilatura
    from readability import Document

    def traf(**options: object) -> Extractor:
        return lambda raw, url: trafilatura.extract(raw, url=url, include_comments=False, **options) or ""

    def readability(raw: bytes, url: str) -> str:
        return html_text.extract_text(Document(raw).summary(html_partial=True), guess_layout=True)

    found: dict[str, Extractor] = {
        f"trafilatura {version('trafilatura')} defaults": traf(),
        "trafilatura fast (no fallback)": traf(fast=True),
        "trafilatura favor_precision": traf(favor_precision=True),
        "trafilatura favor_recall": traf(favor_recall=True),
        f"readability-lxml {version('readability-lxml')} + html-text": readability,
        # readability as the cascade runs it: TextReadability (scrapers/extract/readability_text.py,
        # readability's own result) on the content tree, timed beside readability-lxml
        "readability as the cascade runs it": lambda raw, url: ex.readability_text(
            ex.content_tree(html_tree.parse_html(raw, url))
        ),
    }
    try:
        import justext

        def jt(raw: bytes, url: str) -> str:
            paragraphs = justext.justext(raw, justext.get_stoplist("English"))
            return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        found[f"justext {version('jusText')} (English stoplist)"] = jt
    except ImportError:
        pass
    if not quick:
        try:
            import newspaper  # newspaper3k and newspaper4k install the same module name

            dist = "newspaper4k" if version("newspaper4k") != "-" else "newspaper3k"

            def news(raw: bytes, url: str) -> str:
                article = newspaper.Article(url, fetch_images=False)
                article.download(input_html=raw.decode("utf-8", errors="replace"))
                article.parse()  # never .nlp(): it needs NLTK data
                return article.text or ""

            found[f"{dist} {version(dist)}"] = news
        except ImportError:
            pass
    found["cascade (scrapers/extract/cascade.py)"] = lambda raw, url: ex.extract(raw, url).text
    return found


def run(fn: Extractor, pages: dict[str, bytes], urls: dict[str, str]) -> tuple[dict[str, str], float]:
    """Outputs per page id and the CPU seconds the whole pass took."""
    out: dict[str, str] = {}
    start = time.process_time()
    for pid, raw in pages.items():
        try:
            out[pid] = fn(raw, urls[pid])
        except Exception as err:  # noqa: BLE001 - a failing page scores as empty
            logging.debug("%s failed: %s", pid, err)
            out[pid] = ""
    return out, time.process_time() - start


def host(url: str) -> str:
    name = urlparse(url).netloc.lower().split(":")[0]
    return name[4:] if name.startswith("www.") else name


def body_inputs(raw: bytes, url: str) -> tuple[str, str, str, vote.PageEvidence]:
    """Everything the cascade's body stages 1, 2 and 4 read from one page, computed once."""
    tree = html_tree.parse_html(raw, url)
    article = ex._article_jsonld(ex._jsonld_objects(tree))
    content = ex.content_tree(tree)
    readability = ex.readability_text(content, url)
    precision = ex.trafilatura_text(content, url, favor_precision=True)
    headlines = ex._headlines(tree, ex._title(tree, article))
    return (
        ex.trafilatura_text(content, url),
        readability,
        ex._jsonld_body(article),
        ex.page_evidence(tree, readability, lambda: precision, headlines),
    )


def grid_rows(
    ready: tuple[str, str, str, vote.PageEvidence], truth: str, scorer: ModuleType, grid: list[Thresholds]
) -> dict[Thresholds, tuple]:
    """One page's score rows for every grid point (texts shared between points scored once)."""
    primary, secondary, jsonld, evidence = ready
    chosen: dict[tuple[float, float], tuple[str, str]] = {}
    refined: dict[tuple[str, str, float, int], str] = {}
    scored: dict[str, tuple] = {}
    rows: dict[Thresholds, tuple] = {}
    for coverage, ratio, share, words in grid:
        if (coverage, ratio) not in chosen:
            chosen[coverage, ratio] = vote.choose_body(primary, secondary, jsonld, coverage, ratio)
        text, method = chosen[coverage, ratio]
        key = (text, method, share, words)
        if key not in refined:
            refined[key] = vote.refine(text, method, evidence, share, words)
        if refined[key] not in scored:
            scored[refined[key]] = scorer.page_scores(truth, refined[key])[:3]
        rows[coverage, ratio, share, words] = scored[refined[key]]
    return rows


def leave_site_out(
    pages: dict[str, bytes], urls: dict[str, str], truth: dict[str, str], scorer: ModuleType
) -> tuple[dict[str, float], dict[Thresholds, int]]:
    """Out-of-fold scores of the tuned thresholds, each site's pages held out in turn."""
    grid = [(c, r, s, w) for c in COVERAGE_GRID for r in RATIO_GRID for s in LINK_SHARE_GRID for w in LINK_WORDS_GRID]
    by_page = {pid: grid_rows(body_inputs(raw, urls[pid]), truth[pid], scorer, grid) for pid, raw in pages.items()}
    rows = {g: {pid: by_page[pid][g] for pid in pages} for g in grid}
    sites: dict[str, list[str]] = defaultdict(list)
    for pid in pages:
        sites[host(urls[pid])].append(pid)
    oof: list[tuple] = []
    chosen: dict[Thresholds, int] = defaultdict(int)
    for ids in sites.values():
        held = set(ids)

        def train_f1(g: Thresholds, held: set[str] = held) -> tuple[float, ...]:
            f1 = scorer.aggregate([row for pid, row in rows[g].items() if pid not in held])["f1"]
            return round(f1, 4), g[1], -g[0], g[2], g[3]  # ties: the more conservative thresholds

        best = max(grid, key=train_f1)
        chosen[best] += 1
        oof.extend(rows[best][pid] for pid in ids)
    return scorer.aggregate(oof), dict(chosen)


class _Worker:
    """One checkout's cascade in its own process (benchmarks/extraction_worker.py), timed on command."""

    def __init__(self, checkout: Path, bench: Path, ids: list[str]) -> None:
        self.checkout = checkout
        script = Path(__file__).with_name("extraction_worker.py")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(checkout.resolve()), str(bench.resolve()), *ids],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=checkout,
        )

    def ask(self, command: str) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.checkout}: the timing worker stopped (its error is above)")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def side_by_side(checkout: Path, bench: Path, pages: dict[str, bytes], urls: dict[str, str], runs: int) -> None:
    """The cascade of another checkout (e.g. a `git worktree` of the last commit), this one and
    trafilatura's defaults, passes alternating: speeds and their ratios.

    Each checkout's cascade runs in a worker process of its own that imports that checkout's
    whole ``scrapers`` package; trafilatura runs here. Every pass is timed in CPU seconds of
    the process that ran it; in each round the three take turns (every other round in
    reverse order), and a ratio is quoted as the median of the rounds' own ratios, so a drift
    in the machine's speed reaches both sides of it alike.
    """
    import trafilatura

    ids = sorted(pages)
    workers = {"baseline": _Worker(checkout, bench, ids), "cascade": _Worker(REPO, bench, ids)}
    try:
        for worker in workers.values():
            worker.ask("pass")  # warm-up
        texts = {name: worker.ask("texts")["texts"] for name, worker in workers.items()}
        same = sum(texts["baseline"][pid] == texts["cascade"][pid] for pid in ids)

        def trafilatura_pass() -> float:
            return run(lambda raw, url: trafilatura.extract(raw, url=url, include_comments=False) or "", pages, urls)[1]

        trafilatura_pass()  # warm-up
        passes: dict[str, Callable[[], float]] = {
            "baseline": lambda: workers["baseline"].ask("pass")["seconds"],
            "cascade": lambda: workers["cascade"].ask("pass")["seconds"],
            "trafilatura": trafilatura_pass,
        }
        speeds: dict[str, list[float]] = defaultdict(list)
        for round_ in range(runs):  # every other round in reverse order: no side always goes first
            for name in list(passes)[:: 1 if round_ % 2 == 0 else -1]:
                speeds[name].append(len(ids) / passes[name]())
    finally:
        for worker in workers.values():
            worker.close()
    median = {name: statistics.median(values) for name, values in speeds.items()}

    def paired(a: str, b: str) -> float:  # the median of the rounds' own ratios
        return statistics.median(x / y for x, y in zip(speeds[a], speeds[b], strict=True))

    print(f"side by side, {runs} rounds (pages/s, median): "
          + ", ".join(f"{name} {value:.1f}" for name, value in median.items()))
    print(f"median ratio of a round: cascade/baseline {paired('cascade', 'baseline'):.2f}, "
          f"cascade/trafilatura {paired('cascade', 'trafilatura'):.2f}, "
          f"baseline/trafilatura {paired('baseline', 'trafilatura'):.2f}; "
          f"the same text on {same} of {len(ids)} pages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared data folder")
    parser.add_argument("--runs", type=int, default=3, help="timing runs per extractor (median quoted)")
    parser.add_argument("--quick", action="store_true", help="skip newspaper (slow) and the leave-site-out check")
    parser.add_argument(
        "--against", type=Path, metavar="CHECKOUT",
        help="only time this cascade against another checkout's, passes alternating (see side_by_side)",
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.CRITICAL)

    bench = args.shared / "bench" / "extraction"
    scorer = load_scorer(bench)
    truth = {k: v["articleBody"] for k, v in json.loads((bench / "ground-truth.json").read_text("utf-8")).items()}
    urls = json.loads((bench / "urls.json").read_text("utf-8"))
    pages = {pid: gzip.decompress((bench / "html" / f"{pid}.html.gz").read_bytes()) for pid in truth}
    print(f"{len(pages)} dev pages; lxml {version('lxml')}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')}")
    if args.against:
        side_by_side(args.against, bench, pages, urls, max(1, args.runs))
        return 0
    print(f"{'extractor':45s} {'f1':>6s} {'prec':>6s} {'rec':>6s} {'acc':>6s} {'pages/s':>8s}")

    final: dict[str, float] = {}
    for name, fn in extractors(args.quick).items():
        runs = 1 if name.startswith("newspaper") else max(1, args.runs)
        speeds, out = [], {}
        for _ in range(runs):
            out, seconds = run(fn, pages, urls)
            speeds.append(len(pages) / seconds if seconds else float("inf"))
        m = scorer.aggregate([scorer.page_scores(truth[pid], out.get(pid, ""))[:3] for pid in truth])
        speed = statistics.median(speeds)
        print(
            f"{name:45s} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f} {m['accuracy']:6.3f} {speed:8.1f}",
            flush=True,
        )
        if name.startswith("cascade"):
            final = {**m, "speed": speed}

    loso = ""
    if not args.quick:
        oof, chosen = leave_site_out(pages, urls, truth, scorer)
        print(
            f"leave-one-site-out (thresholds chosen on the other sites): f1={oof['f1']:.3f} "
            f"precision={oof['precision']:.3f} recall={oof['recall']:.3f}; choices {chosen}"
        )
        loso = f" leave_site_out_f1={oof['f1']:.3f}"
    print(
        f"cascade f1={final['f1']:.3f} precision={final['precision']:.3f} recall={final['recall']:.3f} "
        f"pages_per_s={final['speed']:.1f}{loso} n={len(pages)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
