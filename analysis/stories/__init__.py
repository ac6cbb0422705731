"""Stories: one-or-two-day events (grouping, features), events linked into multi-day stories and their
threads (linking), JSON Lines in and out (files), the stories subcommand (cli).
"""
