"""Write SAM parameter overrides into ``samconfig.toml`` without disturbing anything else.

``parameter_overrides`` is a space-separated ``Key=Value`` string (``sam deploy --guided``
writes ``Key=\\"value\\"``), the older ``ParameterKey=K,ParameterValue=V`` form, or a TOML
list of ``Key=Value`` strings. tomlkit keeps comments, ordering and quoting; only the
value of ``parameter_overrides`` changes.

Where: every ``[<env>.<command>.parameters]`` table of the environment that already has
``parameter_overrides`` gets the values (so ``sam deploy`` and ``sam sync`` agree); when
none has one, ``[<env>.deploy.parameters]`` gets it (created if needed).
"""

from __future__ import annotations

import re
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError

SAMCONFIG = "samconfig.toml"
SAMCONFIG_YAML = ("samconfig.yaml", "samconfig.yml")
NEW_FILE_HEADER = "version = 0.1\n"
_VALUE = r"(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s\"']*)"


def parse(text: str, source: str = SAMCONFIG) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise MomentoLambdaError(
            f"{source} is not valid TOML ({exc}); nothing was changed.",
            f"Fix {source} (or move it away) and run the command again.",
            code="project.bad-samconfig",
        ) from None


def set_override(overrides: str, key: str, value: str) -> str:
    """``overrides`` with ``key`` set to ``value``, keeping every other token as written.

    A new key is added in the form the string already uses: SAM reads either
    ``ParameterKey=K,ParameterValue=V`` tokens or ``K=V`` tokens in one string, not a mix.
    """
    short = re.compile(rf"(?:(?<=\s)|^){re.escape(key)}={_VALUE}")
    long = re.compile(rf"(ParameterKey={re.escape(key)},ParameterValue=){_VALUE}")
    match = long.search(overrides)
    if match:
        return overrides[: match.start(2)] + _quoted_like(match.group(2), value) + overrides[match.end(2) :]
    match = short.search(overrides)
    if match:
        return overrides[: match.start(1)] + _quoted_like(match.group(1), value) + overrides[match.end(1) :]
    quote = '"' if '="' in overrides or not overrides.strip() else ""
    if "ParameterKey=" in overrides:
        token = f"ParameterKey={key},ParameterValue={quote}{value}{quote}"
    else:
        token = f"{key}={quote}{value}{quote}"
    stripped = overrides.rstrip()
    return f"{stripped} {token}" if stripped else token


class NotEditable(Exception):
    """``parameter_overrides`` refers to a file (``file://params.yaml``): not edited here."""


def _quoted_like(old: str, value: str) -> str:
    if old.startswith('"'):
        return f'"{value}"'
    if old.startswith("'"):
        return f"'{value}'"
    return value


def get_override(overrides: Any, key: str) -> str | None:
    """The value of ``key`` in a ``parameter_overrides`` string or list (``None`` if absent)."""
    items = [str(x) for x in overrides] if isinstance(overrides, list) else [str(overrides)]
    for item in items:
        for pattern in (
            rf"ParameterKey={re.escape(key)},ParameterValue={_VALUE}",
            rf"(?:(?<=\s)|^){re.escape(key)}={_VALUE}",
        ):
            match = re.search(pattern, item)
            if match:
                return match.group(1).strip("\"'")
    return None


def _has_key(entry: Any, key: str) -> bool:
    if isinstance(entry, dict):
        return key in entry
    return get_override(str(entry), key) is not None


def _set_in_item(item: Any, values: dict[str, str]) -> Any:
    """A tomlkit item for ``parameter_overrides`` with ``values`` set; comments carried over.

    Handles a string, a list of strings (SAM applies them in order), and a table.
    Raises :class:`NotEditable` for a ``file://`` reference.
    """
    import tomlkit
    from tomlkit.items import Array, String, StringType

    if isinstance(item, dict):
        for key, value in values.items():
            item[key] = value
        return item
    if isinstance(item, Array | list):
        for key, value in values.items():
            hits = [i for i, entry in enumerate(item) if _has_key(entry, key)]
            for index in hits:
                entry = item[index]
                if isinstance(entry, dict):
                    entry[key] = value
                else:
                    item[index] = set_override(str(entry), key, value)
            if not hits:
                item.append(f"{key}={value}")
        return item
    text = str(item)
    if text.strip().startswith("file://"):
        raise NotEditable(text.strip())
    for key, value in values.items():
        text = set_override(text, key, value)
    literal = isinstance(item, String) and item.type in (StringType.SLL, StringType.MLL) and "'" not in text
    new = tomlkit.string(text, literal=literal)
    if hasattr(item, "trivia"):
        new.trivia.indent = item.trivia.indent
        new.trivia.comment_ws = item.trivia.comment_ws
        new.trivia.comment = item.trivia.comment
        new.trivia.trail = item.trivia.trail
    return new


def update_text(text: str | None, values: dict[str, str], env: str = "default") -> tuple[str, list[str], list[str]]:
    """The new samconfig.toml text, the tables changed (``[default.deploy.parameters]``...),
    and the tables left alone because their ``parameter_overrides`` is a ``file://`` reference."""
    import tomlkit

    document = parse(text) if text is not None else tomlkit.parse(NEW_FILE_HEADER)
    if "version" not in document:
        document.add("version", 0.1)
    env_table = document.get(env)
    places: list[str] = []
    skipped: list[str] = []
    if env_table is not None and hasattr(env_table, "items"):
        for command, section in list(env_table.items()):
            parameters = section.get("parameters") if hasattr(section, "get") else None
            if parameters is not None and "parameter_overrides" in parameters:
                try:
                    parameters["parameter_overrides"] = _set_in_item(parameters["parameter_overrides"], values)
                except NotEditable:
                    skipped.append(f"[{env}.{command}.parameters]")
                    continue
                places.append(f"[{env}.{command}.parameters]")
    if not places and not skipped:
        if env_table is None:
            env_table = tomlkit.table(is_super_table=True)
            document.add(env, env_table)
        deploy = env_table.get("deploy")
        if deploy is None:
            deploy = tomlkit.table(is_super_table=True)
            env_table.add("deploy", deploy)
        parameters = deploy.get("parameters")
        if parameters is None:
            parameters = tomlkit.table()
            deploy.add("parameters", parameters)
        overrides = ""
        for key, value in values.items():
            overrides = set_override(overrides, key, value)
        parameters.add("parameter_overrides", overrides)
        places.append(f"[{env}.deploy.parameters]")
    return tomlkit.dumps(document), places, skipped


def region_of(text: str, env: str = "default") -> str | None:
    """The region samconfig.toml deploys to (deploy section first, then global)."""
    try:
        document = parse(text)
    except MomentoLambdaError:
        return None
    env_table = document.get(env) or {}
    for command in ("deploy", "global"):
        section = env_table.get(command) or {}
        region = (section.get("parameters") or {}).get("region")
        if isinstance(region, str) and region:
            return str(region)
    return None
