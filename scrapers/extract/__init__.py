"""Extraction: HTML -> article, the numbered cascade (cascade) and its stages (html_tree, readability_text, vote,
nonnews).
"""
