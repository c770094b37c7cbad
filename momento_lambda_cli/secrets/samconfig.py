"""Write SAM parameter overrides into ``samconfig.toml`` (or ``samconfig.yaml`` / ``.yml``)
without disturbing anything else.

``parameter_overrides`` is a space-separated ``Key=Value`` string (``sam deploy --guided``
writes ``Key=\\"value\\"``), the older ``ParameterKey=K,ParameterValue=V`` form, or a TOML
list of ``Key=Value`` strings. The edit is a text edit: only the value of
``parameter_overrides`` changes.

Where: every ``[<env>.<command>.parameters]`` table of the environment that already has
``parameter_overrides`` gets the values (so ``sam deploy`` and ``sam sync`` agree); when
none has one, ``[<env>.deploy.parameters]`` gets it (created if needed).

A YAML samconfig is edited the same way by :mod:`momento_lambda_cli.project.samconfigyaml`
(``parameter_overrides`` as a string, a list or a mapping).
"""

from __future__ import annotations

from typing import Any

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import parser_problem
from momento_lambda_cli.project import edit, samconfigyaml
from momento_lambda_cli.project.edit import get_override, set_override

__all__ = ["SAMCONFIG", "SAMCONFIG_YAML", "get_override", "parse", "set_override", "update_text"]

SAMCONFIG = catalog.SAM.config_files[0]
SAMCONFIG_YAML = catalog.SAM.config_files[1:]


def parse(text: str, source: str = SAMCONFIG) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text.removeprefix("\ufeff"))
    except TOMLKitError as exc:
        raise edit.toml_error(source, parser_problem(exc)) from None


def update_text(
    text: str | None, values: dict[str, str], env: str = "default", name: str = SAMCONFIG
) -> tuple[str, list[str], list[str]]:
    """The new text of the samconfig file ``name``, the tables changed (``[default.deploy.parameters]``,
    ``default.deploy.parameters`` in YAML...), and the tables left alone because their
    ``parameter_overrides`` is a ``file://`` reference.

    A text edit (:func:`momento_lambda_cli.project.edit.samconfig_set_overrides`,
    :func:`momento_lambda_cli.project.samconfigyaml.set_overrides`): only the value of
    ``parameter_overrides`` changes, or lines / a table are added."""
    if name in SAMCONFIG_YAML:
        return samconfigyaml.set_overrides(text or "", values, env, source=name)
    return edit.samconfig_set_overrides(text, values, env, name)
