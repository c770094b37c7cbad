"""One module per group; each exposes ``CHECKS`` in display order."""
