"""Stories: grouping articles into stories (grouping, features), JSON Lines in and out (files), the stories
subcommand (cli).
"""
