"""`momento-lambda add`: plan the edits that bring Momento into an existing SAM or Serverless
project (on the loaded project model), and apply them through :mod:`momento_lambda_cli.project`'s
byte-minimal editors and safe writes. Nothing here prints."""
