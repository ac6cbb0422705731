"""Settings: one table of (name, default, help), validated at start-up, passed down as one object.

Values come from, in rising order of precedence: the defaults below, environment
variables ``PRESSLENS_<NAME>`` (upper-case), and explicit overrides (CLI flags).
An unknown name or a value of the wrong type stops with a hint.

>>> s = Settings.load({"bootstrap_samples": "200"}, environ={})
>>> s.bootstrap_samples
200
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from core.errors import SettingsError, StoreError
from core.pgstore import check_url, is_url

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO_ROOT / "data" / "presslens.db"
ENV_PREFIX = "PRESSLENS_"
# Environment variables with the prefix that are no settings: the evaluation data, the tests' PostgreSQL hook.
NOT_SETTINGS = frozenset({"PRESSLENS_SHARED", "PRESSLENS_TEST_PG"})
# Who may open the dashboard (dashboard/access.py).
DASHBOARD_AUTH = ("none", "proxy")


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", str(DEFAULT_DB), "The store: an SQLite file's path, or a PostgreSQL URL "
            "postgresql://[USER@]HOST[:PORT]/DB (password from PGPASSWORD or ~/.pgpass; one in the URL is refused)."),
    Setting("batch_size", 500, "Articles read, scored and written per transaction."),
    Setting(
        "bootstrap_samples",
        2000,
        "Bootstrap resamples behind every 95% interval (2,000 keeps the interval's own "
        "Monte-Carlo error near 0.002 on tone means).",
    ),
    Setting("bootstrap_seed", 20250611, "Seed of the bootstrap, so the same store gives the same intervals."),
    Setting("confidence", 0.95, "Coverage of the intervals reported beside every mean."),
    Setting("busy_timeout_ms", 30000, "How long a writer or reader waits on a lock before it fails."),
    Setting("user_agent", "PressLens/0.1 (media research)", "User agent the fetcher sends."),
    Setting("fetch_delay", 1.0, "Seconds between two requests to the same host."),
    Setting("latest_hours", 48, "Hours the first `collect --latest` reaches back (later runs start where the last "
            "one ended)."),
    Setting("workers", 0, "Processes that score batches in parallel (0: one per CPU, at most 4; 1: no pool)."),
    Setting("max_line_bytes", 16 * 1024 * 1024,
            "Longest JSON Lines line read, in bytes (16 MiB); a longer one is rejected by line number and "
            "skipped up to its newline, read in bounded chunks."),
    Setting("max_json_depth", 64, "Deepest nesting of lists and objects a JSON line may hold (at most 500)."),
    Setting("max_article_chars", 2_000_000,
            "Longest article text imported, in characters; a longer one is rejected by line number."),
    Setting("outlets_local", str(REPO_ROOT / "data" / "outlets.local.toml"),
            "The user's outlets file: entries that correct or add to data/outlets.toml (core/outlets.py)."),
    Setting(
        "news_tone_max_articles",
        5000,
        "analysis run scores tone with the news model (tone_news) by default on stores of up to this many "
        "articles, VADER only beyond (0: never by default). 5,000 score in about 4 minutes on two cores.",
    ),
    Setting("dashboard_catalogue_max", 200_000,
            "The dashboard loads every article's metadata and scores into memory on stores of up to this many "
            "articles; a larger store is filtered and summed from compact columns of keys, outlets, days and "
            "the scores a page shows, and only a selection of up to dashboard_selection_max articles is loaded."),
    Setting("dashboard_selection_max", 20_000,
            "On a store larger than dashboard_catalogue_max: the most articles a page loads row by row (tone "
            "distributions, frames, emphasis, briefs); a larger selection shows the tables summed per outlet."),
    Setting("story_block_articles", 5000,
            "Articles read and grouped at a time by analysis stories --db (story grouping in bounded memory)."),
    Setting("dashboard_auth", "none",
            "Who may open the dashboard: `none` (loopback only: python -m dashboard refuses another address) or "
            "`proxy` (behind an authenticating reverse proxy that passes the user and the shared secret)."),
    Setting("proxy_user_header", "X-Forwarded-User",
            "With dashboard_auth = proxy: the request header in which the proxy names the signed-in user."),
    Setting("proxy_secret_file", "",
            "With dashboard_auth = proxy: a file holding the secret the proxy sends in X-PressLens-Proxy-Secret "
            "(a file, so the secret is never in a URL, a log line or the runs table)."),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


def _coerce(setting: Setting, value: Any) -> Any:
    kind = type(setting.default)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    try:
        if kind is bool:
            lowered = str(value).strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(value)
            return lowered in ("1", "true", "yes")
        return kind(value)
    except (TypeError, ValueError):
        raise SettingsError(
            f"setting {setting.name!r} must be of type {kind.__name__}, got {value!r} ({setting.help})"
        ) from None


@dataclass(frozen=True)
class Settings:
    """The validated settings of one process."""

    db: str = _BY_NAME["db"].default
    batch_size: int = _BY_NAME["batch_size"].default
    bootstrap_samples: int = _BY_NAME["bootstrap_samples"].default
    bootstrap_seed: int = _BY_NAME["bootstrap_seed"].default
    confidence: float = _BY_NAME["confidence"].default
    busy_timeout_ms: int = _BY_NAME["busy_timeout_ms"].default
    user_agent: str = _BY_NAME["user_agent"].default
    fetch_delay: float = _BY_NAME["fetch_delay"].default
    latest_hours: int = _BY_NAME["latest_hours"].default
    workers: int = _BY_NAME["workers"].default
    max_line_bytes: int = _BY_NAME["max_line_bytes"].default
    max_json_depth: int = _BY_NAME["max_json_depth"].default
    max_article_chars: int = _BY_NAME["max_article_chars"].default
    outlets_local: str = _BY_NAME["outlets_local"].default
    news_tone_max_articles: int = _BY_NAME["news_tone_max_articles"].default
    dashboard_catalogue_max: int = _BY_NAME["dashboard_catalogue_max"].default
    dashboard_selection_max: int = _BY_NAME["dashboard_selection_max"].default
    story_block_articles: int = _BY_NAME["story_block_articles"].default
    dashboard_auth: str = _BY_NAME["dashboard_auth"].default
    proxy_user_header: str = _BY_NAME["proxy_user_header"].default
    proxy_secret_file: str = _BY_NAME["proxy_secret_file"].default

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Return settings from defaults, ``PRESSLENS_*`` variables and overrides (None = unset)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for key, raw in env.items():
            if key.startswith(ENV_PREFIX) and key not in NOT_SETTINGS:
                values[key[len(ENV_PREFIX):].lower()] = raw
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls().with_values(values)

    def with_values(self, values: Mapping[str, Any]) -> Settings:
        """Return a copy with the given values, validated."""
        unknown = sorted(set(values) - set(_BY_NAME))
        if unknown:
            raise SettingsError(
                f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_BY_NAME))}"
            )
        checked = {name: _coerce(_BY_NAME[name], value) for name, value in values.items()}
        result = replace(self, **checked)
        result.validate()
        return result

    def validate(self) -> None:
        """Check ranges that types alone do not catch."""
        if is_url(self.db):
            try:
                check_url(self.db)
            except StoreError as exc:
                raise SettingsError(f"setting 'db': {exc}") from None
        if self.batch_size < 1:
            raise SettingsError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.bootstrap_samples < 100:
            raise SettingsError(f"bootstrap_samples must be at least 100, got {self.bootstrap_samples}")
        if not 0.5 <= self.confidence < 1:
            raise SettingsError(f"confidence must be in [0.5, 1), got {self.confidence}")
        if self.fetch_delay < 0:
            raise SettingsError(f"fetch_delay must be >= 0, got {self.fetch_delay}")
        if self.latest_hours < 1:
            raise SettingsError(f"latest_hours must be at least 1, got {self.latest_hours}")
        if self.workers < 0:
            raise SettingsError(f"workers must be >= 0 (0: one per CPU), got {self.workers}")
        if self.max_line_bytes < 1024:
            raise SettingsError(f"max_line_bytes must be at least 1024, got {self.max_line_bytes}")
        if not 1 <= self.max_json_depth <= 500:  # Python's own parser stops near 1,000
            raise SettingsError(f"max_json_depth must be in [1, 500], got {self.max_json_depth}")
        if self.max_article_chars < 1:
            raise SettingsError(f"max_article_chars must be at least 1, got {self.max_article_chars}")
        if self.news_tone_max_articles < 0:
            raise SettingsError(f"news_tone_max_articles must be >= 0 (0: never by default), "
                                f"got {self.news_tone_max_articles}")
        if self.dashboard_catalogue_max < 0 or self.dashboard_selection_max < 1:
            raise SettingsError(f"dashboard_catalogue_max must be >= 0 and dashboard_selection_max >= 1, got "
                                f"{self.dashboard_catalogue_max} and {self.dashboard_selection_max}")
        if self.story_block_articles < 1:
            raise SettingsError(f"story_block_articles must be at least 1, got {self.story_block_articles}")
        if self.dashboard_auth not in DASHBOARD_AUTH:
            raise SettingsError(f"dashboard_auth must be one of {', '.join(DASHBOARD_AUTH)}, "
                                f"got {self.dashboard_auth!r}")
        if not self.proxy_user_header.strip():
            raise SettingsError("proxy_user_header must name a request header, got an empty value")

    def as_dict(self) -> dict[str, Any]:
        """Return every setting by name (recorded with each run)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


assert {f.name for f in fields(Settings)} == set(_BY_NAME), "Settings fields and SETTINGS table differ"
