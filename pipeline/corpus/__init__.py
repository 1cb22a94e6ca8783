"""The labeled corpus: sampling, annotation tasks, dataset building and validation."""
