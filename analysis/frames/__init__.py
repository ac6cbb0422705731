"""Frames: frame sets and cue matching with the registered scorers (lexicon), trained classifiers and per-group
shares (model), the frames subcommand (cli).
"""
