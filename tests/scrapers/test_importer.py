"""Import: good lines stored, each kind of bad line reported, re-import adds nothing."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import InputError, StoreError
from core.store import Store
from scrapers.importer import BATCH, import_files, parse_date, record_to_article
from tests.conftest import require_shared

GOOD = {"id": "t-1", "outlet": "Daily Example", "url": "https://daily.example/a-1", "title": "A headline",
        "published": "2024-05-01", "topic": "trade", "story_id": "s-1", "text": "First sentence. Second one.",
        "labels": {"allsides_bias": "center"}}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good(n: int, **over: object) -> dict[str, object]:
    record = {**GOOD, "id": f"t-{n}", "url": f"https://daily.example/a-{n}", **over}
    return record


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "s.db") as opened:
        yield opened


def test_basil_imports_whole_and_reimport_adds_nothing(store: Store) -> None:
    corpus = require_shared("corpora", "basil", "articles.jsonl")
    lines = sum(1 for line in corpus.open(encoding="utf-8") if line.strip())
    first = import_files([corpus], store)
    assert first.counts.inserted == lines
    assert first.rejected == []
    assert first.outlets == {"Fox News", "The New York Times", "HuffPost"}
    assert store.count("articles") == lines
    again = import_files([corpus], store)
    assert (again.counts.inserted, again.counts.updated, again.counts.unchanged) == (0, 0, lines)
    assert store.count("articles") == lines


def test_allsides_gzip_reads_and_keeps_bias_ratings(store: Store, tmp_path: Path) -> None:
    corpus = require_shared("corpora", "allsides_abp", "articles.jsonl.gz")
    sample = tmp_path / "sample.jsonl.gz"
    with gzip.open(corpus, "rt", encoding="utf-8") as src, gzip.open(sample, "wt", encoding="utf-8") as dst:
        for _, line in zip(range(300), src):
            dst.write(line)
    report = import_files([sample], store)
    assert report.counts.inserted == 300
    outlets = store.outlets()
    assert set(outlets["bias"].dropna()) <= {"left", "center", "right"}
    assert outlets["bias"].notna().all()


@pytest.mark.parametrize(
    ("line", "kind", "message"),
    [
        ("{not json", "invalid json", "invalid JSON"),
        ('["a list"]', "not an object", "expected a JSON object"),
        (json.dumps(good(2, text="")), "missing text", "text is missing or empty"),
        (json.dumps(good(3, text=42)), "bad field", "text must be a string"),
        (json.dumps(good(4, url="not a url")), "bad url", "not an absolute http"),
        (json.dumps(good(5, published="yesterday")), "bad date", "not an ISO 8601 date"),
        (json.dumps(good(6, published="1970-01-01")), "date out of range", "before 1990"),
        (json.dumps(good(7, published="2999-01-01")), "date out of range", "in the future"),
        (json.dumps(good(8, labels=[1])), "bad field", "labels must be an object"),
        (json.dumps({**good(9), "id": None, "url": None}), "missing id", "needs an id or a url"),
        (json.dumps(good(1)), "duplicate", "duplicate of line 1"),
    ],
)
def test_bad_lines_are_reported_and_good_lines_stored(store: Store, tmp_path: Path, line: str, kind: str,
                                                      message: str) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [json.dumps(good(1)), line, json.dumps(good(10))])
    report = import_files([path], store)
    assert report.counts.inserted == 2
    assert len(report.rejected) == 1
    file, number, got_kind, got_message = report.rejected[0]
    assert (file, number, got_kind) == (str(path), 2, kind)
    assert message in got_message
    assert store.count("articles") == 2


def test_not_utf8_line_is_rejected(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps(good(1)).encode() + b"\n" + b'{"text": "caf\xe9"}\n')
    report = import_files([path], store)
    assert report.rejected[0][1:3] == (2, "not utf-8")
    assert report.counts.inserted == 1


def test_missing_outlet_title_and_date_are_warnings_not_losses(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [json.dumps(good(1, outlet=None, title="", published=None))])
    report = import_files([path], store)
    assert report.counts.inserted == 1
    assert report.warnings == {"missing outlet": 1, "missing title": 1, "missing date": 1}


def test_truncated_gzip_keeps_lines_before_the_break(store: Store, tmp_path: Path) -> None:
    whole = gzip.compress("".join(json.dumps(good(i)) + "\n" for i in range(1, 400)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    report = import_files([path], store)
    stored = store.count("articles")
    assert 0 < stored < 399
    # The lines read before the break are counted in the summary (they were stored but reported as 0 before).
    assert report.counts.inserted == stored and report.lines == stored
    assert f"{stored} articles" in report.summary() and f"stored: {stored} new" in report.summary()
    assert len(report.truncated) == 1 and "cut.jsonl.gz" in str(report.truncated[0])
    assert "truncated" in str(report.truncated[0])


def test_nothing_stored_before_is_lost_by_a_bad_file(store: Store, tmp_path: Path) -> None:
    import_files([write_jsonl(tmp_path / "a.jsonl", [json.dumps(good(i)) for i in range(1, 6)])], store)
    bad = write_jsonl(tmp_path / "b.jsonl", ["garbage", json.dumps(good(3, text=""))])
    report = import_files([bad], store)
    assert report.counts.inserted == 0 and len(report.rejected) == 2
    assert store.count("articles") == 5
    assert store.articles(with_text=True).set_index("source_id").loc["t-3", "text"] == GOOD["text"]


def test_csv_with_the_same_columns(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(GOOD))
        writer.writeheader()
        for n in (1, 2):
            row = good(n)
            row["labels"] = json.dumps(row["labels"])
            writer.writerow(row)
        writer.writerow({**good(3), "labels": "{broken", "published": ""})
    report = import_files([path], store)
    assert report.counts.inserted == 2
    assert report.rejected[0][1:3] == (4, "bad field")


def test_unknown_file_type_and_missing_file(store: Store, tmp_path: Path) -> None:
    (tmp_path / "x.parquet").write_bytes(b"PAR1")
    with pytest.raises(InputError, match="unknown file type .parquet"):
        import_files([tmp_path / "x.parquet"], store)
    with pytest.raises(InputError, match="no such file"):
        import_files([tmp_path / "nope.jsonl"], store)


def test_dates_normalised() -> None:
    assert parse_date("2019-03-28") == "2019-03-28"
    assert parse_date("2019-03-28T10:00:00+02:00") == "2019-03-28T08:00:00"
    assert parse_date(None) is None


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(GOOD) + ["extra"]),
                       st.one_of(st.none(), st.text(max_size=30), st.integers(), st.lists(st.integers(), max_size=2),
                                 st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))))
def test_any_record_is_accepted_or_rejected_with_a_reason(record: dict[str, object]) -> None:
    from scrapers.importer import LineError

    try:
        article, warnings = record_to_article(record, "test")
    except LineError as exc:
        assert exc.kind and str(exc)
    else:
        assert article.text.strip() and article.id
        assert all(isinstance(w, str) for w in warnings)


def test_basil_outlets_get_their_bias_group_from_outlets_toml(store: Store) -> None:
    """basil gives no bias: data/outlets.toml's ratings fill the outlets table, so group filters work."""
    from core.store import ArticleFilter

    import_files([require_shared("corpora", "basil", "articles.jsonl")], store)
    outlets = store.outlets().set_index("name")
    assert outlets.loc[["Fox News", "The New York Times", "HuffPost"], "bias"].tolist() == ["right", "lean left",
                                                                                          "left"]
    assert set(outlets.loc[["Fox News", "The New York Times", "HuffPost"], "country"]) == {"US"}
    assert set(store.articles(ArticleFilter(groups=("right",))).outlet) == {"Fox News"}
    assert set(store.articles(ArticleFilter(groups=("left", "lean left"))).outlet) == {"HuffPost",
                                                                                      "The New York Times"}


def test_aliases_become_display_names_and_data_bias_wins(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [
        json.dumps(good(1, outlet="Fox Online News", labels={"allsides_bias": "Lean Right"})),
        json.dumps(good(2, outlet="AP")),
        json.dumps(good(3, outlet="Daily Example", labels={})),
    ])
    report = import_files([path], store)
    assert report.outlets == {"Fox News", "The Associated Press", "Daily Example"}
    articles = store.articles().set_index("source_id")
    assert articles.loc["t-1", "outlet"] == "Fox News"
    assert json.loads(articles.loc["t-1", "labels"])["outlet_as_given"] == "Fox Online News"
    outlets = store.outlets().set_index("name")
    assert outlets.loc["Fox News", "bias"] == "lean right"  # the data's rating, not the file's
    assert outlets.loc["The Associated Press", "bias"] == "center"  # the file's, where the data gave none
    assert outlets.loc["The Associated Press", "country"] == "US"
    assert outlets.loc["Daily Example"].isna()["bias"]


def test_truncated_gzip_through_the_cli_counts_its_lines_in_the_summary_and_the_run(tmp_path: Path,
                                                                                     capsys: pytest.CaptureFixture[str]
                                                                                     ) -> None:
    """Issue 21 (5): the lines before the break were stored but the summary and the runs row said 0."""
    from scrapers.__main__ import main

    whole = gzip.compress("".join(json.dumps(good(i)) + "\n" for i in range(1, 400)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    db = tmp_path / "cli.db"
    assert main(["import", str(path), "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    with Store.open(db, readonly=True) as opened:
        stored = opened.count("articles")
        run = opened.runs().iloc[-1]
    assert stored > 0
    assert f"stored: {stored} new" in out and "truncated files: 1" in out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"warning: {path}:") and "truncated" in lines[0], err
    assert json.loads(run["counts"])["inserted"] == stored and run["status"] == "partial"


def test_outlets_first_seen_in_a_later_batch_are_stored_with_their_facts(store: Store, tmp_path: Path) -> None:
    # BATCH articles of one outlet, then two more outlets in the second batch: every outlet row is written
    # once, with the facts of its first article, and every article keeps the host its URL names.
    lines = [json.dumps(good(n, labels={"allsides_bias": "center"})) for n in range(BATCH)]
    lines.append(json.dumps(good(BATCH, outlet="Fox Online News", url="https://www.foxnews.com/politics/x",
                                 labels={"allsides_bias": "Right"})))
    lines.append(json.dumps(good(BATCH + 1, outlet="Fox News", url="https://www.foxnews.com/politics/y",
                                 labels={"allsides_bias": "Lean Right"})))
    lines.append(json.dumps(good(BATCH + 2, outlet="AP", url="https://apnews.com/article/z", labels={})))
    report = import_files([write_jsonl(tmp_path / "b.jsonl", lines)], store)
    assert report.counts.inserted == BATCH + 3
    outlets = store.outlets().set_index("name")
    assert sorted(outlets.index) == ["Daily Example", "Fox News", "The Associated Press"]
    assert outlets.loc["Daily Example", "bias"] == "center"
    assert outlets.loc["Fox News", "bias"] == "right"  # its first article's rating
    assert outlets.loc["The Associated Press", "country"] == "US"
    articles = store.articles(columns=("outlet", "host", "url")).set_index("url")
    assert articles.loc["https://www.foxnews.com/politics/y", "host"] == "Fox News"
    assert articles.loc["https://apnews.com/article/z", "host"] == "The Associated Press"
    assert articles.loc["https://daily.example/a-1", "host"] == "daily.example"


def test_batches_stored_on_the_writer_thread_all_land_and_its_failure_surfaces(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [json.dumps(good(n)) for n in range(2 * BATCH + 7)]
    report = import_files([write_jsonl(tmp_path / "a.jsonl", lines)], store)
    assert report.counts.inserted == 2 * BATCH + 7
    assert store.count("articles") == 2 * BATCH + 7
    # The writer's store fails on the second batch: the import raises it, and the first batch stays stored.
    calls = {"n": 0}
    real = Store.upsert_articles

    def failing(self: Store, articles):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise StoreError("disk full")
        return real(self, articles)

    monkeypatch.setattr(Store, "upsert_articles", failing)
    more = [json.dumps(good(n)) for n in range(10 * BATCH, 13 * BATCH)]  # ids not stored yet
    with pytest.raises(StoreError, match="disk full"):
        import_files([write_jsonl(tmp_path / "b.jsonl", more)], store)
    assert store.count("articles") == 2 * BATCH + 7 + BATCH


def test_an_in_memory_store_imports_in_the_callers_thread(tmp_path: Path) -> None:
    lines = [json.dumps(good(n)) for n in range(BATCH + 3)]
    with Store.open(":memory:") as memory:
        report = import_files([write_jsonl(tmp_path / "a.jsonl", lines)], memory)
        assert report.counts.inserted == memory.count("articles") == BATCH + 3


@pytest.mark.sqlite_only(reason="reads the FTS5 index of the SQLite file")
def test_the_tuned_writer_thread_stores_what_an_in_memory_import_stores(store: Store, tmp_path: Path) -> None:
    # The file store's writer thread uses many-row statements, a large cache and FTS5 automerge 8; an in-memory
    # store is written in the caller's thread with SQLite's defaults: the rows and every indexed term agree.
    words = ["Tariffs rose", "Café owners", "naïve résumé", "the mayor said"]
    lines = [json.dumps(good(n, title=f"{words[n % 4]} {n}", text=f"{words[(n + 1) % 4]}. Item {n} of many."))
             for n in range(2 * BATCH + 11)]
    path = write_jsonl(tmp_path / "a.jsonl", lines)
    import_files([path], store)
    instances = "SELECT term, doc, col, offset FROM temp.v ORDER BY term, doc, col, offset"
    vocab = "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, 'articles_fts', 'instance')"
    with Store.open(":memory:") as memory:
        import_files([path], memory)
        columns = [c for c in store.articles(with_text=True).columns if c != "stored_at"]
        assert store.articles(with_text=True)[columns].equals(memory.articles(with_text=True)[columns])
        for s in (store, memory):
            s._db.execute(vocab)
        assert len(store._db.execute(instances).fetchall()) > 5 * (2 * BATCH + 11)
        assert store._db.execute(instances).fetchall() == memory._db.execute(instances).fetchall()
        assert dict(store._db.execute("SELECT k, v FROM articles_fts_config").fetchall())["automerge"] == 8
