"""Regenerate the docs' check catalogue (docs/checks.md) from the check definitions
(doctor/checks/*). tests/test_docs.py fails when the page is stale."""

from __future__ import annotations

from pathlib import Path

from momento_lambda_cli.doctor import catalogue, registry

PAGE = Path(__file__).resolve().parent.parent / catalogue.PAGE


def main() -> None:
    text = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    updated = catalogue.markdown_page(registry.all_checks())
    if updated != text:
        PAGE.write_text(updated, encoding="utf-8")
        print(f"updated {catalogue.PAGE}")
    else:
        print(f"{catalogue.PAGE} is up to date")


if __name__ == "__main__":
    main()
