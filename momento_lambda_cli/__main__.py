"""Allow ``python -m momento_lambda_cli``."""

from momento_lambda_cli.startup import quiet_interrupts

if __name__ == "__main__":
    quiet_interrupts()

from momento_lambda_cli.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
