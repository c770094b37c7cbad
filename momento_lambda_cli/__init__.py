"""momento-lambda: scaffold, secure and diagnose AWS Lambda functions that use Momento."""

__version__ = "0.3.0"

ISSUES_URL = "https://github.com/momento-lambda/momento-lambda/issues"
