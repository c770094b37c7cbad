"""momento-lambda: scaffold, secure and diagnose AWS Lambda functions that use Momento."""

__version__ = "0.3.0"

DISTRIBUTION = "momento-lambda"

_FALLBACK_URLS = {"Issues": "https://github.com/momento-lambda/momento-lambda/issues"}


def project_url(label: str) -> str:
    """A ``[project.urls]`` entry of pyproject.toml (the one place they are written), read from
    the installed package's metadata; the fallback serves a source tree that is not installed."""
    from importlib import metadata

    try:
        entries = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        entries = []
    for entry in entries:
        name, _, url = str(entry).partition(",")
        if name.strip().lower() == label.lower():
            return url.strip()
    return _FALLBACK_URLS.get(label, "")


def issues_url() -> str:
    """Where users report bugs (``Issues`` in ``[project.urls]``)."""
    return project_url("Issues")
