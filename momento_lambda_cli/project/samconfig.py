"""Read a SAM CLI configuration file the way the SAM CLI does.

Which file: ``samconfig.toml``, then ``samconfig.yaml``, then ``samconfig.yml`` (the SAM CLI's
priority; JSON support is disabled in the SAM CLI). Which values: ``[<env>.<command>.parameters]``
over ``[<env>.global.parameters]``, key by key (``env`` is ``--config-env``, ``default``
unless given). ``parameter_overrides`` in every form SAM accepts: ``Key=Value`` tokens
(quoted values, ``\\ `` escapes), ``ParameterKey=K,ParameterValue=V`` tokens, lists of those,
mappings (YAML), ``file://params.yaml`` / ``.toml`` references (relative to the file that
names them, kept inside the project) with ``$include``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import parse

CONFIG_NAMES = catalog.SAM.config_files
DEFAULT_ENV = "default"
GLOBAL = "global"

_VALUE = r"""("(?:\\.|[^"\\]+)*"|'(?:\\.|[^'\\]+)*'|(?:\\.|[^ "\\]+)+)"""
_KEY = r"""([A-Za-z0-9"']+)"""
_LONG = re.compile(rf"(?:ParameterKey={_KEY},ParameterValue={_VALUE})")
_SHORT = re.compile(rf"(?: {_KEY}={_VALUE})")
_MAX_INCLUDES = 20


@dataclass
class SamConfig:
    """One environment of a samconfig file (empty when there is no file)."""

    path: Path | None
    env: str
    document: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    """The samconfig file and every parameter file it includes."""

    @property
    def name(self) -> str:
        return self.path.name if self.path else CONFIG_NAMES[0]

    @property
    def envs(self) -> list[str]:
        return [str(k) for k, v in self.document.items() if isinstance(v, dict)]

    def parameters(self, command: str) -> dict[str, Any]:
        """``[env.command.parameters]`` over ``[env.global.parameters]``, as the SAM CLI merges them."""
        env = self.document.get(self.env)
        if not isinstance(env, dict):
            return {}
        merged: dict[str, Any] = {}
        for name in (GLOBAL, command.replace("-", "_").replace(" ", "_")):
            section = env.get(name)
            values = section.get("parameters") if isinstance(section, dict) else None
            if isinstance(values, dict):
                merged.update(values)
        return merged

    def where(self, command: str, key: str) -> str:
        """``samconfig.toml [default.deploy.parameters] region``: where ``key`` comes from."""
        env = self.document.get(self.env)
        for name in (command, GLOBAL):
            section = env.get(name) if isinstance(env, dict) else None
            values = section.get("parameters") if isinstance(section, dict) else None
            if isinstance(values, dict) and key in values:
                return f"{self.name} [{self.env}.{name}.parameters] {key}"
        return f"{self.name} {key}"

    def overrides(self, command: str = "deploy") -> dict[str, str]:
        """The parameter overrides ``sam <command>`` would pass (problems go to :attr:`problems`)."""
        value = self.parameters(command).get("parameter_overrides")
        base = self.path.parent if self.path else Path(".")
        try:
            return parse_overrides(value, base, root=base, seen=set(), files=self.files)
        except ValueError as exc:
            self.problems.append(f"{self.where(command, 'parameter_overrides')}: {exc}")
            return {}


def find(root: Path) -> Path | None:
    """The samconfig file the SAM CLI would use in ``root``."""
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def load(root: Path, env: str = DEFAULT_ENV, path: Path | None = None) -> SamConfig:
    """The samconfig file of ``root`` for config env ``env``; raises MomentoLambdaError when it does not parse."""
    path = path or find(root)
    if path is None:
        return SamConfig(None, env)
    document = parse.load_toml(path, root) if path.suffix == ".toml" else parse.load_yaml(path, root)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise MomentoLambdaError(
            f"{path.name} is not a mapping of config environments.",
            f"Fix {path.name}: it holds tables such as [default.deploy.parameters].",
            code="project.bad-config",
        )
    config = SamConfig(path, env, dict(document), files=[path])
    if env != DEFAULT_ENV and env not in config.envs:
        config.problems.append(
            f"{path.name} has no [{env}] environment (it has {', '.join(config.envs) or 'none'}): "
            f"`sam deploy --config-env {env}` would use no settings from it."
        )
    return config


def parse_overrides(value: Any, base: Path, *, root: Path, seen: set[Path], files: list[Path]) -> dict[str, str]:
    """``parameter_overrides`` as the SAM CLI turns it into ``{key: value}``; ValueError when SAM would refuse it."""
    if value in ("", None) or value == {}:
        return {}
    result: dict[str, str] = {}
    for item in _flatten(value):
        if isinstance(item, str):
            if item.startswith("file://"):
                result.update(_include(item, base, root=root, seen=seen, files=files))
                continue
            text = " " + item.strip()
            for pattern in (_LONG, _SHORT):
                pairs = pattern.findall(text)
                if pairs:
                    result.update(pairs)
                    break
            else:
                raise ValueError(f"{item[:60]!r} is not a Key=Value or ParameterKey=K,ParameterValue=V override")
        elif isinstance(item, dict):
            for key, entry in item.items():
                if entry is None:
                    result[str(key)] = ""
                elif key == "$include":
                    result.update(parse_overrides(entry, base, root=root, seen=seen, files=files))
                elif isinstance(entry, list):
                    result[str(key)] = ",".join(str(x).strip() for x in entry if x not in (None, ""))
                else:
                    result[str(key)] = _scalar(entry)
        elif item is not None:
            result[_scalar(item)] = ""
    return {_unquote(k): _unquote(v) for k, v in result.items()}


def _include(reference: str, base: Path, *, root: Path, seen: set[Path], files: list[Path]) -> dict[str, str]:
    target = Path(reference[len("file://") :])
    target = (target if target.is_absolute() else base / target).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"{reference} is outside the project (not read)")
    if not target.is_file():
        raise ValueError(f"{reference} was not found or is not a file")
    if target in seen or len(seen) >= _MAX_INCLUDES:
        raise ValueError(f"{reference} includes itself")
    if target.suffix not in {".toml", ".yaml", ".yml"}:
        raise ValueError(f"{reference} has an extension the SAM CLI does not read")
    seen.add(target)
    files.append(target)
    try:
        try:
            nested = parse.load_toml(target, root) if target.suffix == ".toml" else parse.load_yaml(target, root)
        except MomentoLambdaError as exc:
            raise ValueError(exc.message) from None
        return parse_overrides(nested, target.parent, root=root, seen=seen, files=files)
    finally:
        seen.discard(target)


def _flatten(value: Any) -> list[Any]:
    out: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list | tuple):
            stack[0:0] = list(item)
        else:
            out.append(item)
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    return str(value)


def _unquote(value: str) -> str:
    if value and value[0] == value[-1] and value[0] in "\"'" and len(value) >= 2:
        value = value[1:-1]
    return value.replace("\\ ", " ").replace('\\"', '"').replace("\\'", "'")
