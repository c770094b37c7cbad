"""Everything `momento-lambda store-token` does below the command line.

* :mod:`.key_source`: where the key comes from (stdin, an environment variable, a hidden prompt).
* :mod:`.verify`: what a Momento key check means for storing the key.
* :mod:`.region`: which region the secret belongs in; mistyped region names.
* :mod:`.secret_store`: Secrets Manager create / update / restore, KMS key checks.
* :mod:`.samconfig`, :mod:`.serverless_config`, :mod:`.wiring`: writing the secret's ARN
  where the project's framework reads it, keeping the user's formatting and comments.

Nothing here prints; everything returns data or raises
:class:`~momento_lambda_cli.errors.MomentoLambdaError`. The key is never put into a
message, a file or a log line.
"""
