"""Numeric claims: found verbatim, grouped by what they count, disagreement flagged."""

from __future__ import annotations

from analysis.digest.figures import SentenceClaim, find_claims, group_claims, normalise_value

# Our own sentences, written for the test (shaped like the rare-earth coverage of the seed digest).
SENTENCES = {
    "A": "China controls about 70% of rare earth mining worldwide, analysts said.",
    "B": "China controls some 90% of rare earth mining, according to the agency.",
    "C": "China accounts for 70 percent of global rare earth mining.",
    "D": "The deal was signed on June 10 by 2 delegations after talks that lasted 20 hours.",
}


def _claims() -> list[SentenceClaim]:
    return [SentenceClaim((outlet, 0, len(text)), outlet, text, claim)
            for outlet, text in SENTENCES.items() for claim in find_claims(text)]


def test_claims_are_verbatim_and_typed() -> None:
    for text in SENTENCES.values():
        for claim in find_claims(text):
            assert text[claim.start:claim.end] == claim.value
    kinds = {(c.kind, c.value) for c in find_claims(SENTENCES["D"])}
    assert ("date", "June 10") in kinds and ("count", "20 hours") in kinds and ("count", "2 delegations") in kinds
    assert [c.value for c in find_claims("It cost $1.2 billion, or 1,100 million euros.")] == ["$1.2 billion",
                                                                                            "1,100 million euros"]


def test_hyphenated_numbers_are_not_counts() -> None:
    assert find_claims("The under-21 coach saw COVID-19 cases and a 1-1 draw.") == []


def test_same_quantity_is_grouped_and_disagreement_flagged() -> None:
    groups = group_claims(_claims())
    share = next(g for g in groups if g.kind == "percent")
    assert share.outlets == ("A", "B", "C")
    assert share.values == ("70%", "90%") and share.disagree
    assert share.label in SENTENCES[share.claims[0].outlet] or any(share.label in t for t in SENTENCES.values())


def test_one_outlet_is_not_a_group() -> None:
    assert all(len(g.outlets) >= 2 for g in group_claims(_claims()))
    assert group_claims(_claims()[:1]) == []


def test_normalised_values_compare_formats() -> None:
    assert normalise_value("percent", "70 percent") == normalise_value("percent", "70%") == "70%"
    assert normalise_value("count", "16,797 new cases") == normalise_value("count", "16797 cases")


def _claims_of(sentences: dict[str, str]) -> list[SentenceClaim]:
    return [SentenceClaim((key, 0, len(text)), key.split("#")[0], text, claim)
            for key, text in sentences.items() for claim in find_claims(text)]


def test_figures_of_different_things_are_not_chained_into_one_group() -> None:
    # Each shares two words with the next, none with all: single linkage made one "figure" of them.
    chain = {
        "A": "Vietnam exporters face a 46% tariff on shoes.",
        "B": "Vietnam exporters face a 34% tariff on steel.",
        "C": "Chinese steel makers face a 125% tariff on steel.",
        "D": "Chinese steel makers pay an 84% levy.",
    }
    groups = group_claims(_claims_of(chain))
    assert not any({"46%", "125%"} <= set(g.values) or {"46%", "84%"} <= set(g.values) for g in groups)
    assert sorted(g.values for g in groups) == [("125%", "84%"), ("34%", "46%")]  # A with B, C with D


def test_outlets_giving_the_same_values_agree_and_a_changed_figure_is_no_disagreement() -> None:
    same = {
        "A": "Tariff rates of 11% to 50% apply to dozens of countries.",
        "B": "Tariff rates of 11 per cent to 50 per cent apply to dozens of countries.",
    }
    group = group_claims(_claims_of(same))[0]
    assert group.outlets == ("A", "B") and not group.disagree
    updated = {
        "X#1": "China raised its tariff on US goods to 84 percent on Wednesday.",
        "X#2": "China raised its tariff on US goods to 125 percent on Friday.",
        "Y": "China raised its tariff on US goods to 125% on Friday.",
    }
    group = group_claims(_claims_of(updated))[0]
    assert group.outlets == ("X", "Y") and group.values == ("125%", "84%") and not group.disagree
    differ = {"A": "The Nasdaq closed up 12% on the day.", "B": "The Nasdaq closed up 7% on the day."}
    assert group_claims(_claims_of(differ))[0].disagree
