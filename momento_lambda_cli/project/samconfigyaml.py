"""Set the build flag and parameter overrides of a ``samconfig.yaml`` / ``samconfig.yml``,
keeping every other byte (the YAML counterpart of :mod:`momento_lambda_cli.retrofit.tomltext`
and :func:`momento_lambda_cli.project.edit.samconfig_set_overrides`).

``parameter_overrides`` is edited in the form it is written: a string of ``Key=Value`` tokens,
a list of such strings, or a mapping; a ``file://`` reference is left alone. The result is read
back with the project's samconfig reader (the SAM CLI's rules) before it is returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from momento_lambda_cli.project import edit, yamltext
from momento_lambda_cli.project.edit import CannotEdit, Text, yaml_scalar

TRUE = ("true", "True", "TRUE")


def set_use_container(text: str, env: str, *, source: str) -> str:
    """``use_container: true`` under ``<env>.build.parameters`` (added, or a false value replaced)."""
    path = [env, "build", "parameters"]
    node = yamltext.node_at(text, [*path, "use_container"], source)
    if node is None:
        return yamltext.set_block(text, path, "use_container", "true", source=source)
    if node.id == "scalar" and node.tag == "tag:yaml.org,2002:bool" and node.value in TRUE:
        return text
    return yamltext.replace_scalar(text, [*path, "use_container"], "true", source=source)


def set_overrides(text: str, values: Mapping[str, str], env: str, *, source: str) -> tuple[str, list[str], list[str]]:
    """``values`` set in ``parameter_overrides`` of every ``<env>.<command>.parameters`` that has
    one, else in ``<env>.deploy.parameters`` (created when missing). Returns the new text, the
    places changed (``default.deploy.parameters``...) and those left alone (``file://``)."""
    root = yamltext.compose(text, source)
    commands: list[str] = []
    if root is not None and root.id == "mapping":
        env_node = _child(root, env)
        if env_node is not None and env_node.id == "mapping":
            for key, value in env_node.value:
                parameters = _child(value, "parameters") if value.id == "mapping" else None
                if parameters is not None and parameters.id == "mapping" and _child(parameters, "parameter_overrides"):
                    commands.append(str(key.value))
    places: list[str] = []
    skipped: list[str] = []
    new = text
    for command in commands:
        where = [env, command, "parameters", "parameter_overrides"]
        node = yamltext.node_at(new, where, source)
        if node.id == "scalar" and str(node.value).strip().startswith("file://"):
            skipped.append(".".join(where[:-1]))
            continue
        new = _set_in(new, node, where, values, source)
        places.append(".".join(where[:-1]))
    if not places and not skipped:
        overrides = ""
        for key, value in values.items():
            overrides = edit.set_override(overrides, key, value)
        new = yamltext.set_block(
            new, [env, "deploy", "parameters"], "parameter_overrides", yaml_scalar(overrides), source=source
        )
        places.append(f"{env}.deploy.parameters")
    _check(new, values, env, places, source)
    return new, places, skipped


def _child(mapping: Any, key: str) -> Any:
    found = edit._find(mapping, key)
    return found[1] if found else None


def _set_in(text: str, node: Any, where: Sequence[str], values: Mapping[str, str], source: str) -> str:
    if node.id == "scalar":
        current = str(node.value)
        new = current
        for key, value in values.items():
            if edit.get_override(new, key) != value:
                new = edit.set_override(new, key, value)
        if new == current:
            return text
        style = node.style if node.style in ("'", '"') else None
        return yamltext.replace_scalar(text, list(where), yaml_scalar(new, style), source=source)
    if node.id == "sequence":
        items = [str(item.value) for item in node.value if item.id == "scalar"]
        for key, value in values.items():
            if edit.get_override(items, key) != value:
                token = edit.set_override("", key, value)
                text = yamltext.append_item(text, list(where), [yaml_scalar(token)], source=source)
                items.append(token)
        return text
    if node.id == "mapping":
        for key, value in values.items():
            found = edit._find(node, key)
            if found is None:
                text = yamltext.set_block(text, list(where), key, yaml_scalar(value), source=source)
            elif str(found[1].value) != value:
                text = yamltext.replace_scalar(text, [*where, key], yaml_scalar(value), source=source)
        return text
    raise CannotEdit(
        f"`{'.'.join(where)}` in {source} is not a string, a list or a mapping; nothing was changed.",
        "Set the parameter overrides yourself.",
        code="project.cannot-edit",
    )


def _check(text: str, values: Mapping[str, str], env: str, places: list[str], source: str) -> None:
    from momento_lambda_cli.project.samconfig import SamConfig

    document = edit._load(Text(text).norm, source) or {}
    config = SamConfig(None, env, dict(document))
    for place in places:
        command = place.split(".")[1]
        overrides = config.document.get(env, {}).get(command, {}).get("parameters", {}).get("parameter_overrides")
        got = {
            k: (overrides.get(k) if isinstance(overrides, dict) else edit.get_override(overrides, k)) for k in values
        }
        if any(str(got[k]) != v for k, v in values.items()):  # pragma: no cover - a shape the editor does not know
            raise CannotEdit(f"Could not set {', '.join(values)} in {source} {place}; nothing was changed.")
