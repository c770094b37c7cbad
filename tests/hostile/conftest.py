"""Hostile-input tests run the CLI as child processes (see harness.py); none needs a server."""
