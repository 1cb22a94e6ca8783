"""Evaluation: metrics as pure functions, the harness over the corpus, and report writers."""
