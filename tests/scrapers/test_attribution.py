"""Publisher and host of collected pages: each rule on pages we write, and what must not attribute."""

from __future__ import annotations

import pytest

from scrapers.attribution import attribute

TABLE = {name: {"name": name, "display_name": display, "domains": domains, "aliases": aliases}
         for name, display, domains, aliases in [
             ("Reuters", "Reuters", ["reuters.com"], []),
             ("Associated Press", "The Associated Press", ["apnews.com"], ["AP"]),
             ("Xinhua", "Xinhua News Agency", ["news.cn"], ["Xinhua"]),
             ("CNN", "CNN", ["cnn.com"], []),
             ("CGTN", "CGTN", ["cgtn.com"], []),
             ("The Conversation", "The Conversation", ["theconversation.com"], []),
             ("The New York Times", "The New York Times", ["nytimes.com"], ["New York Times"]),
             ("Yahoo Finance", "Yahoo Finance", ["finance.yahoo.com"], []),
             ("MSN", "MSN", ["msn.com"], []),
             ("Bloomberg", "Bloomberg", ["bloomberg.com"], []),
         ]}
HOST = "https://finance.yahoo.com/news/story-1"


@pytest.mark.parametrize(("text", "publisher", "rule"), [
    ("BEIJING, Oct 9 (Reuters) - China expanded its rare earth export controls on Thursday.", "Reuters", "dateline"),
    ("(Reuters) - China expanded its controls.", "Reuters", "dateline"),
    ("KYIV, Ukraine (AP) — The talks resumed on Monday.", "The Associated Press", "dateline"),
    ("BEIJING, Oct. 9 (Xinhua) -- China's Ministry of Commerce said on Thursday ...", "Xinhua News Agency", "dateline"),
    ("Washington CNN — The White House said on Friday ...", "CNN", "dateline"),
    ("CNN — The White House said on Friday ...", "CNN", "dateline"),
    ("Source: CGTN\nChina's exports of rare earth magnets fell in May.", "CGTN", "credit"),
    ("China's exports fell.\nThis article originally appeared in The Conversation, a non-profit news site.",
     "The Conversation", "credit"),
    ("Markets fell.\nThis story was originally published by The New York Times.", "The New York Times", "credit"),
    ("The talks resumed.\n© 2025 The Associated Press. All rights reserved.", "The Associated Press", "credit"),
    ("China said it would respond.\n(Reporting by Jane Doe in Beijing; Editing by John Roe)", "Reuters", "credit"),
])
def test_each_rule_finds_the_publisher_of_a_repost(text: str, publisher: str, rule: str) -> None:
    found = attribute(HOST, TABLE, text=text)
    assert (found.publisher, found.host, found.rule, found.reposted) == (publisher, "Yahoo Finance", rule, True)
    assert found.describe().startswith(rule + ": ")


@pytest.mark.parametrize("text", [
    "BEIJING — China expanded its rare earth export controls on Thursday.",  # a city, not an agency
    "BEIJING, Oct 9 - China expanded its controls.",
    "NEW YORK — Stocks fell.",
    "LONDON (Oct 9) — Prices rose.",  # parenthesised, but not an outlet
    "WASHINGTON, D.C. (KYIV) — Nothing here is an outlet.",
    "Shares of MP Materials (NYSE: MP) - rose 5% on Thursday.",
    "Rare earth prices climbed, a chart showed.\n" + "x " * 400 + "\nSource: Bloomberg\n" + "y " * 400,  # a chart
    "",
])
def test_city_datelines_and_stray_names_attribute_nothing(text: str) -> None:
    found = attribute(HOST, TABLE, text=text)
    assert (found.publisher, found.host, found.rule, found.reposted) == ("Yahoo Finance",) * 2 + ("host", False)


def test_page_metadata_rules_and_their_order() -> None:
    page = (b'<html><head><link rel="canonical" href="https://www.nytimes.com/2025/10/09/business/x.html">'
            b'<meta property="og:site_name" content="Bloomberg">'
            b'<script type="application/ld+json">{"@type": "NewsArticle", "publisher": {"name": "CNN"}}</script>'
            b'</head><body>BEIJING (Reuters) - x</body></html>')
    assert attribute("https://www.msn.com/en-us/news/x", TABLE, html=page, text="BEIJING (Reuters) - x").rule == \
        "canonical"
    no_canonical = page.replace(b"nytimes.com", b"msn.com")
    assert attribute("https://www.msn.com/en-us/news/x", TABLE, html=no_canonical, text="Markets fell.").publisher \
        == "CNN"  # JSON-LD before og:site_name
    graph = (b'<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": ["NewsArticle"], '
             b'"publisher": [{"@type": "Organization", "name": "Bloomberg"}]}]}</script>')
    assert attribute("https://www.msn.com/x", TABLE, html=graph).publisher == "Bloomberg"
    og = b"<meta content='CGTN' property='og:site_name'>"
    assert attribute("https://www.msn.com/x", TABLE, html=og).rule == "og:site_name"
    broken = b'<script type="application/ld+json">{not json</script><meta property="og:site_name" content="MSN">'
    assert not attribute("https://www.msn.com/x", TABLE, html=broken).reposted  # its own brand: no re-post


def test_a_page_on_its_publishers_own_site_and_unknown_hosts() -> None:
    own = attribute("https://www.reuters.com/world/china/x", TABLE, text="BEIJING (Reuters) - China said ...")
    assert (own.publisher, own.host, own.reposted, own.describe()) == ("Reuters", "Reuters", False, "host")
    unknown = attribute("https://news.example.co.uk/a", TABLE, text="(AP) — The talks resumed.",
                        canonical_url="https://other-unknown.com/a")
    assert (unknown.publisher, unknown.host, unknown.rule) == ("The Associated Press", "example.co.uk", "dateline")


def test_import_keeps_the_files_outlet_and_stores_where_it_was_read(tmp_path) -> None:
    import json

    from core.store import Store
    from scrapers.importer import import_files

    lines = [{"id": "1", "outlet": "Reuters", "url": "https://finance.yahoo.com/news/a-1", "title": "T1", "text": "B1"},
             {"id": "2", "outlet": "Reuters", "url": "https://www.reuters.com/world/a-2", "title": "T2", "text": "B2"},
             {"id": "3", "outlet": "Tiny Daily", "url": "https://tinydaily.co.ke/a-3", "title": "T3", "text": "B3"},
             {"id": "4", "outlet": "No Url", "title": "T4", "text": "B4"}]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with Store.open(tmp_path / "s.db") as store:
        import_files([path], store)
        stored = store.articles(columns=("outlet", "host", "attribution")).sort_values("id")
        hosts = store.hosts()
    assert sorted(zip(stored["outlet"], stored["host"].fillna("-"))) == [
        ("No Url", "-"), ("Reuters", "Reuters"), ("Reuters", "Yahoo Finance"), ("Tiny Daily", "tinydaily.co.ke")]
    assert set(stored["attribution"].dropna()) == {"file"}
    assert hosts.to_dict("records")[0] == {"outlet": "Reuters", "host": "Reuters", "articles": 1, "reposted": False}
    assert int(hosts["reposted"].sum()) == 2 and hosts["articles"].sum() == 3


@pytest.mark.parametrize(("text", "title", "publisher", "rule"), [
    ("NEW YORK, January 9th. /tass/. The fires spread overnight.", None, "TASS", "dateline"),
    ("MOSCOW, February 24 - RIA Novosti. The vote count ended.", None, "RIA Novosti", "dateline"),
    ("Global markets tumble\nBy Agence France-Presse\nApr 7, 2025 5:24 AM\n\nMarkets fell.", None, "AFP", "byline"),
    ("By GEIR MOULSON – Associated Press\nBERLIN — Friedrich Merz ...", None, "The Associated Press", "byline"),
    ("The party did well in regional elections. -- ANI", None, "ANI", "credit"),
    ("Exclusions were granted for smartphones.\n\nReuters", None, "Reuters", "credit"),
    ("Merz met Scholz on Wednesday.", "German election: Merz meets Scholz - DW - 02/26/2025", "DW", "title"),
    ("Merz meets Scholz - DW - 02/25/2025\nFebruary 25, 2025\nAs Merz ...", None, "DW", "title"),  # title as line 1
    ("Pushkov commented on the results\n\nMOSCOW, 24 Apr - RIA Novosti. The split will grow.", None, "RIA Novosti",
     "dateline"),  # the dateline on the line after the headline
    ("No pope yet\nby Ian Laqui · philstar\nMANILA, Philippines (Updated 3:29 a.m.) — No pope was elected.", None,
     "The Philippine Star", "byline"),
])
def test_more_wire_habits(text: str, title: str | None, publisher: str, rule: str) -> None:
    table = {**TABLE, **{name: {"name": name, "display_name": name, "domains": [], "aliases": aliases}
                         for name, aliases in [("TASS", []), ("RIA Novosti", []), ("AFP", ["Agence France-Presse"]),
                                               ("ANI", []), ("DW", ["Deutsche Welle"]),
                                               ("The Philippine Star", ["philstar"])]}}
    found = attribute(HOST, table, text=text, title=title)
    assert (found.publisher, found.rule) == (publisher, rule)


@pytest.mark.parametrize(("text", "title"), [
    ("By Jane Doe\nWASHINGTON — The talks resumed.", None),  # a reporter's byline names no outlet
    ("Officials met in Beijing. CNN reported that the talks would resume.", None),  # a mention, not a sign-off
    ("Prices rose.\nSource: Reuters calculations based on customs data", None),  # a data source, not a credit
    ("Prices rose.", "Rare earths: what comes next - analysis"),
])
def test_mentions_and_bylines_of_people_attribute_nothing(text: str, title: str | None) -> None:
    assert not attribute(HOST, TABLE, text=text, title=title).reposted
