"""Settings validation and URL canonicalisation."""

from __future__ import annotations

import pytest

from core.errors import SettingsError
from core.schema import article_id
from core.settings import SETTINGS, Settings
from core.urls import canonical_url


def test_defaults_env_and_overrides() -> None:
    settings = Settings.load({"batch_size": "50"}, environ={"PRESSLENS_DB": "/tmp/x.db"})
    assert settings.db == "/tmp/x.db"
    assert settings.batch_size == 50
    assert Settings.load({"db": "/tmp/y.db"}, environ={"PRESSLENS_DB": "/tmp/x.db"}).db == "/tmp/y.db"


def test_unknown_setting_is_named_with_the_known_ones() -> None:
    with pytest.raises(SettingsError, match="unknown setting.*batchsize.*known: .*batch_size"):
        Settings.load({"batchsize": 3}, environ={})
    with pytest.raises(SettingsError, match="unknown setting.*colour"):
        Settings.load(environ={"PRESSLENS_COLOUR": "red"})


def test_wrong_type_and_range() -> None:
    with pytest.raises(SettingsError, match="bootstrap_samples. must be of type int, got .many."):
        Settings.load({"bootstrap_samples": "many"}, environ={})
    with pytest.raises(SettingsError, match="confidence"):
        Settings.load({"confidence": 1.5}, environ={})


def test_every_setting_has_help() -> None:
    assert all(len(s.help) > 10 for s in SETTINGS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.nytimes.com/2025/06/10/us/trade.html?utm_source=tw&smid=x", "https://www.nytimes.com/2025/06/10/us/trade.html"),
        ("https://amp.theguardian.com/world/2025/jun/10/china", "https://theguardian.com/world/2025/jun/10/china"),
        ("https://edition.cnn.com/2025/06/10/politics/amp", "https://edition.cnn.com/2025/06/10/politics"),
        ("http://Example.COM:80/a/?b=2&a=1#frag", "http://example.com/a?a=1&b=2"),
        ("https://m.example.com/x", "https://www.example.com/x"),
        # whitespace in the path is percent-encoded, so the result is a fixed point (hypothesis found it)
        ("HTTPS://a/amp /amp", "https://a/amp%20"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected
    assert canonical_url(expected) == expected


def test_ids_follow_the_canonical_url() -> None:
    assert article_id("https://a.example/x?utm_medium=email", None) == article_id("https://a.example/x", None)
    assert article_id(None, "basil-1-fox") != article_id(None, "basil-1-nyt")
    with pytest.raises(ValueError, match="not an absolute"):
        canonical_url("ftp://a.example/x")
