"""Comparison of outlets and outlet groups: statistics (stats), outlet groups (groups), per-outlet comparison
(outlets), the report tables (report).
"""
