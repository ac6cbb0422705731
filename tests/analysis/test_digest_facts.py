"""Key facts (analysis.digest.facts): what several outlets report that the page does not yet say; the story's
days chosen for what they add; the word budget dropping the least busy day first."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from analysis.digest.facts import MIN_GAIN, Coverage, concept_weights, concepts, key_facts, whole
from analysis.digest.model import Digest, Item, Section
from analysis.digest.sections import sentence_table
from analysis.digest.short import TRIM_ORDER, _least_needed, fit, story_days


def _table() -> pd.DataFrame:
    texts = {
        "One": "Pope Francis died on Monday at the age of 88, the Vatican said. "
               "Francis will be buried in the basilica of Santa Maria Maggiore in a simple tomb, as he wished. "
               "The cardinals will meet in a conclave in May to choose his successor.",
        "Two": "Pope Francis died on Monday aged 88, the Vatican announced. "
               "Francis asked to be buried in the basilica of Santa Maria Maggiore, not in the Vatican grottoes. "
               "A local bakery in Buenos Aires baked a cake shaped like a white hat for the mourners.",
        "Three": "The Vatican said Pope Francis died on Monday, aged 88. "
                 "The cardinals gather in a conclave in May to elect the next pope.",
    }
    articles = pd.DataFrame([{"id": f"a{k}", "outlet": outlet, "url": f"https://x{k}.example/p", "title": "Pope dies",
                              "published": f"2025-04-2{k + 1}", "text": text}
                             for k, (outlet, text) in enumerate(texts.items())])
    return sentence_table(articles)


def test_concepts_are_content_words_pairs_and_numbers() -> None:
    assert concepts("Tariffs of 10% start on April 5.") == {"tariffs", "start", "april", "10%", "5"}
    assert "santa maria" in concepts("Buried in Santa Maria Maggiore.")
    assert "vatican" not in concepts("The Vatican said so.", excluded={"vatican"})


def test_posts_and_half_quotes_are_no_facts() -> None:
    assert not whole("PAYGO is bad economics, as @RoKhanna explains.")
    assert not whole("Politicians need to read economic history,” Khanna wrote on Twitter.")
    assert not whole('The rule "hamstrings progress, he said.')
    assert whole("The package requires bills to be public for 72 hours, “a full three days”, before a vote.")


def test_a_concept_weighs_the_outlets_using_it() -> None:
    weights = concept_weights(_table())
    assert weights["santa maria"] == 2 and weights["88"] == 3 and weights["conclave"] == 2
    assert "bakery" not in weights  # one outlet's words are no shared fact


def test_key_facts_add_what_several_outlets_say_and_the_page_does_not() -> None:
    table = _table()
    shown = ["Pope Francis died on Monday at the age of 88, the Vatican said."]
    coverage = Coverage.of(table, shown)
    facts = key_facts(table, coverage, limit=3)
    texts = [f.text for f in facts]
    assert texts and "Santa Maria Maggiore" in texts[0]  # the burial: 2 outlets, many uncovered concepts
    # the conclave (two concepts of two outlets: 2 x 2 / sqrt(14 words) = 1.1) adds less than MIN_GAIN
    assert len(texts) == 1 and coverage.gain("The cardinals will meet in a conclave in May.") < MIN_GAIN
    assert not any("bakery" in t for t in texts)  # one outlet's anecdote adds no shared concept
    assert not set(texts) & set(shown)
    for fact in facts:  # verbatim: the cited characters of the stored text
        c = fact.citations[0]
        assert c.sentence == fact.text and fact.quoted
    assert coverage.gain(texts[0]) == 0.0  # what is chosen counts as said


def test_no_fact_when_the_page_says_it_all() -> None:
    table = _table()
    coverage = Coverage.of(table, list(table["sentence"]))
    assert key_facts(table, coverage) == []


def test_story_days_with_coverage_choose_the_lede_that_adds() -> None:
    table = _table()
    plain = story_days(table, set())
    assert [i.heading for i in plain] == ["2025-04-21", "2025-04-22", "2025-04-23"]
    coverage = Coverage.of(table, ["Pope Francis died on Monday at the age of 88, the Vatican said."])
    added = story_days(table, set(), coverage)
    assert "Santa Maria Maggiore" in added[0].text or "conclave" in added[0].text
    assert all(i.citations[0].sentence == i.text for i in added)


def test_trimming_drops_the_least_busy_day_but_keeps_the_first() -> None:
    days = tuple(Item(heading=f"2025-01-0{d}", text=f"Day {d} news.", note=f"{n} article{'s' if n != 1 else ''}")
                 for d, n in ((1, 1), (2, 5), (3, 1), (4, 3)))
    section = Section("how_we_got_here", "How we got here", days)
    assert _least_needed(section) == 2  # day 3: one article (day 1 has one too, but the first day stays)
    assert _least_needed(Section("go_deeper", "Go deeper", days)) == 3  # elsewhere: the last line

    def render(d: Digest) -> str:
        return "\n".join(i.text for s in d.sections for i in s.items)

    others = tuple(Section(key, key) for key in dict(TRIM_ORDER) if key != "how_we_got_here")
    digest = Digest("s", "S", 4, 2, None, None, sections=(section, *others), detail="short")
    kept = fit(digest, render, max_words=9).section("how_we_got_here")
    assert [i.heading for i in kept.items] == ["2025-01-01", "2025-01-02", "2025-01-04"]


def test_a_headline_run_into_a_byline_does_not_stand_alone() -> None:
    from analysis.digest.themes import stands_alone

    assert not stands_alone("Trump Pauses Tariffs for 90 Days/ Newslooks/ WASHINGTON/ J. Mansour/ President Trump "
                            "announced a 90-day pause on new tariffs for most countries.")
    assert stands_alone("President Trump announced a 90-day pause on new tariffs for most countries, calming markets.")


def test_copies_of_one_wire_story_are_one_voice() -> None:
    table = _table()
    wire = pd.DataFrame({"article_id": ["a0", "a1"], "group_id": ["g1", "g1"], "group_size": [2, 2]})
    weights = concept_weights(table, syndication=wire)
    assert "santa maria" not in weights  # said by One and Two, copies of one wire story: one voice
    assert weights["88"] == 2  # the wire and Three


def test_trimming_by_value_drops_the_line_that_adds_least_per_word() -> None:
    from analysis.digest.short import trim_value

    lede = Item(text="Floods hit the river valley on Friday.", quoted=False)
    also_new = Item(heading="Also", text="Hydrants ran dry as crews fought the floods.")
    also_repeat = Item(heading="Also", text="Floods hit the valley, the river rising on Friday.")
    days = (Item(heading="2025-07-04", text="Floods hit the river valley.", note="3 articles"),
            Item(heading="2025-07-05", text="Celebrities lost homes to the floods.", note="1 article"),
            Item(heading="2025-07-06", text="The river valley flooded again on Friday.", note="4 articles"))
    themes = tuple(Item(heading=f"theme {k}", text=f"Theme {k} words here.") for k in range(5))
    digest = Digest("s", "S", 4, 2, None, None, detail="short", sections=(
        Section("whats_happened", "What's happened", (lede, also_new, also_repeat)),
        Section("key_insights", "Key insights", themes),
        Section("how_we_got_here", "How we got here", days)))
    coverage = Coverage({"floods": 4, "river": 3, "valley": 3, "friday": 2, "hydrants": 2, "dry": 2, "celebrities": 3,
                         "homes": 2, "river valley": 3})

    def render(d: Digest) -> str:
        return "\n".join(i.text for s in d.sections for i in s.items)

    full = markdown_words_of(render(digest))
    kept = fit(digest, render, max_words=full - 25, coverage=coverage)
    texts = [i.text for s in kept.sections for i in s.items]
    # the lines repeating the lede go (nothing only they say); what only one line says stays
    assert also_repeat.text not in texts and days[2].text not in texts and days[0].text not in texts
    assert also_new.text in texts and days[1].text in texts and lede.text in texts
    assert len(kept.section("key_insights").items) == 4  # a floor: themes are trimmed to four, no further
    assert markdown_words_of(render(kept)) <= full - 25
    page = Counter({"floods": 3, "hydrants": 1, "dry": 1})
    assert trim_value(also_new, page, coverage, 8) == 0.5  # hydrants and dry, 2 + 2 over 8 words


def markdown_words_of(text: str) -> int:
    return len(text.split())


def test_a_concept_other_stories_use_weighs_less() -> None:
    from analysis.digest.facts import specificity
    from analysis.digest.sections import BackgroundTerms

    background = BackgroundTerms.of(["The Vatican said the conclave opens in May.", "The Vatican museum reopened.",
                                     "Bakers in Rome sold bread."])
    assert specificity("maggiore", background) == 1.0  # no other story uses it
    assert round(specificity("vatican", background), 3) == 0.526  # log(4/3 + 1) / log(5): two of three texts
    assert specificity("88", background) == 1.0  # a number is the story's own figure
    weights = concept_weights(_table(), background=background)
    assert weights["88"] == 3 and weights["santa maria"] == 2  # used by 3 and 2 outlets, by no other story
    assert weights["conclave"] == round(2 * specificity("conclave", background), 9) < 2


def test_a_line_dropped_before_a_long_one_comes_back_when_the_words_allow() -> None:
    short = Item(heading="", text="Alpha beta.")  # adds little: dropped first
    long = Item(heading="", text="Gamma delta one two three four five six seven eight.")  # adds more, costs 10
    digest = Digest("s", "S", 2, 2, None, None, detail="short", sections=(
        Section("whats_happened", "What's happened", (Item(text="Floods hit the valley today."),)),
        Section("go_deeper", "Go deeper", (long,)),
        Section("more_on_topics", "More", (short,))))
    coverage = Coverage({"alpha": 0.2, "gamma": 2.0})

    def render(d: Digest) -> str:
        return "\n".join(i.text for s in d.sections for i in s.items)

    kept = fit(digest, render, max_words=14, coverage=coverage)  # 17 words: the short line goes, then the long
    assert kept.section("more_on_topics").items == (short,)  # back: 7 words fit
    assert kept.section("go_deeper").items == () and len(render(kept).split()) == 7


def test_the_day_adding_most_is_filled_first() -> None:
    texts = [("2025-01-07", "Firefighters found the hydrants dry and the reservoir empty on Tuesday night. "
                            "Several celebrities lost their homes in the hills above the city."),
             ("2025-01-08", "Crews said the hydrants and the reservoir failed again as a curfew began downtown.")]
    articles = pd.DataFrame([{"id": f"a{k}", "outlet": f"Outlet {k}", "url": None, "title": "Fires",
                              "published": day, "text": text} for k, (day, text) in enumerate(texts)])
    table = sentence_table(articles)
    coverage = Coverage({"hydrants": 3, "reservoir": 3, "celebrities": 1, "curfew": 1})
    days = story_days(table, set(), coverage)
    # in date order the first day would take the hydrants, leaving the second day only its curfew; the second day
    # says more (hydrants, reservoir and curfew), so it goes first and the first day adds the celebrities
    assert [(i.heading, i.text.split()[0]) for i in days] == [("2025-01-07", "Several"), ("2025-01-08", "Crews")]
    assert coverage.covered >= {"hydrants", "reservoir", "celebrities", "curfew"}
