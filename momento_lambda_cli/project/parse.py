"""Parse the files projects keep their settings in: YAML with CloudFormation short tags
(``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``... turned into their long forms) and TOML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from momento_lambda_cli.errors import MomentoLambdaError


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    class CfnConstructor(SafeConstructor):
        pass

    def construct(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:  # pragma: no cover
            value = None
        if suffix == "Ref":
            return {"Ref": value}
        if suffix == "Condition":
            return {"Condition": value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    CfnConstructor.add_multi_constructor("!", construct)
    yaml = YAML(typ="safe")
    yaml.Constructor = CfnConstructor
    return yaml


def load_yaml(path: Path) -> Any:
    """Parse a YAML file accepting CloudFormation short tags; raises MomentoLambdaError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MomentoLambdaError(f"Cannot read {path.name}: {exc.strerror}.", code="doctor.unreadable") from None
    try:
        return _yaml().load(text)
    except Exception as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise MomentoLambdaError(
            f"{path.name} does not parse{where}: {problem}.",
            f"Fix the YAML syntax in {path.name}; `sam validate --lint` or `serverless print` shows the context.",
            code="doctor.bad-template",
        ) from None


def load_toml(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            document: Any = tomllib.loads(text)
        else:  # pragma: no cover - Python 3.10
            import tomlkit

            document = tomlkit.parse(text).unwrap()
    except Exception as exc:
        raise MomentoLambdaError(
            f"{path.name} does not parse: {exc}.", f"Fix the TOML syntax in {path.name}.", code="doctor.bad-config"
        ) from None
    return dict(document)
