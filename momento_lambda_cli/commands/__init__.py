"""One thin module per command: parse options, call the core, render the result."""

REGION_HELP = (
    "AWS region (default: where the project deploys, as its deploy tool decides: SAM samconfig region, "
    "else AWS_REGION / AWS_DEFAULT_REGION / the profile's; Serverless provider.region, else us-east-1; "
    "outside a project AWS_REGION / AWS_DEFAULT_REGION / the profile's)."
)
"""The one ``--region`` help text: every command uses the same order (docs/projects.md "AWS settings")."""
