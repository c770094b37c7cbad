"""Regenerate the README's check catalogue from the check definitions (doctor/checks/*)."""

from __future__ import annotations

from pathlib import Path

from momento_lambda_cli.doctor import catalogue, registry

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    updated = catalogue.with_table(text, registry.all_checks())
    if updated != text:
        README.write_text(updated, encoding="utf-8")
        print(f"updated {README.name}")
    else:
        print(f"{README.name} is up to date")


if __name__ == "__main__":
    main()
