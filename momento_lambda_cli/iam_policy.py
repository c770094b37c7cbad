"""Our own IAM identity-policy evaluation, for when ``iam:SimulatePrincipalPolicy`` is
unavailable (not allowed, or a local AWS stand-in that does not implement it).

Covers what decides "can this role read this secret": Allow/Deny (an explicit Deny wins),
Action/NotAction, Resource/NotResource, ``*`` and ``?`` wildcards, case-insensitive
action names and case-sensitive resource ARNs. A statement with a ``Condition`` cannot be
decided without the request context: it makes the answer "conditional". Permission
boundaries, SCPs and resource policies are out of scope (and named so in messages).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any


class Decision(str, Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    """An explicit Deny statement matches."""
    IMPLICIT_DENY = "implicit-deny"
    """No statement allows it."""
    CONDITIONAL = "conditional"
    """Allowed (or denied) only under a Condition we cannot evaluate."""


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    has_condition: bool
    source: str = ""
    """Which policy it came from (for messages)."""

    def with_resources(self, shape: Callable[[str], str]) -> Statement:
        """This statement with ``shape`` applied to every Resource / NotResource entry."""
        return dataclasses.replace(
            self,
            resources=tuple(shape(r) for r in self.resources),
            not_resources=tuple(shape(r) for r in self.not_resources),
        )


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    matched: tuple[Statement, ...] = field(default=())
    """The statements that decided it."""

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOWED


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return (str(value),)


def statements_of(document: Any, source: str = "") -> list[Statement]:
    """The statements of a policy document (a dict, or a JSON string), tolerating the
    single-statement and single-string shorthands."""
    if isinstance(document, str):
        import json

        document = json.loads(document)
    if not isinstance(document, Mapping):
        return []
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    result = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        result.append(statement_of(item, source))
    return result


def statement_of(item: Mapping[str, Any], source: str = "") -> Statement:
    return Statement(
        effect=str(item.get("Effect", "")),
        actions=_strings(item.get("Action")),
        not_actions=_strings(item.get("NotAction")),
        resources=_strings(item.get("Resource")),
        not_resources=_strings(item.get("NotResource")),
        has_condition=bool(item.get("Condition")),
        source=source,
    )


@lru_cache(maxsize=1024)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    parts = []
    for char in glob:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts) + r"\Z", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """IAM action match: ``*`` / ``?`` wildcards, case-insensitive."""
    return _pattern(pattern.strip(), True).match(action.strip()) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    """IAM resource match: ``*`` / ``?`` wildcards, case-sensitive."""
    return _pattern(pattern.strip(), False).match(resource.strip()) is not None


def statement_applies(statement: Statement, action: str, resource: str) -> bool:
    if statement.actions:
        if not any(action_matches(p, action) for p in statement.actions):
            return False
    elif statement.not_actions:
        if any(action_matches(p, action) for p in statement.not_actions):
            return False
    else:
        return False
    if statement.resources:
        return any(resource_matches(p, resource) for p in statement.resources)
    if statement.not_resources:
        return not any(resource_matches(p, resource) for p in statement.not_resources)
    return False


def evaluate(statements: Iterable[Statement], action: str, resource: str) -> Evaluation:
    """Decide ``action`` on ``resource`` under identity-policy ``statements``."""
    allows: list[Statement] = []
    conditional_allows: list[Statement] = []
    conditional_denies: list[Statement] = []
    for statement in statements:
        if not statement_applies(statement, action, resource):
            continue
        effect = statement.effect.lower()
        if effect == "deny":
            if not statement.has_condition:
                return Evaluation(Decision.DENIED, (statement,))
            conditional_denies.append(statement)
        elif effect == "allow":
            (conditional_allows if statement.has_condition else allows).append(statement)
    if conditional_denies and (allows or conditional_allows):
        return Evaluation(Decision.CONDITIONAL, tuple(conditional_denies))
    if allows:
        return Evaluation(Decision.ALLOWED, tuple(allows))
    if conditional_allows:
        return Evaluation(Decision.CONDITIONAL, tuple(conditional_allows))
    return Evaluation(Decision.IMPLICIT_DENY)


def is_broad_grant(statement: Statement, action: str) -> str | None:
    """Why an Allow statement granting ``action`` is over-broad (``None`` when it is not)."""
    if statement.effect.lower() != "allow":
        return None
    if statement.not_actions:
        return "NotAction grants every other action"
    service = action.split(":", 1)[0].lower()
    for pattern in statement.actions:
        lowered = pattern.strip().lower()
        if lowered in {"*", f"{service}:*"}:
            return f"Action {pattern}"
    if statement.not_resources:
        return "NotResource grants every other resource"
    for pattern in statement.resources:
        stripped = pattern.strip()
        if stripped == "*" or re.fullmatch(r"arn:aws[\w-]*:[\w-]+:[^:]*:[^:]*:[\w-]+:\*", stripped):
            return f"Resource {pattern}"
    return None
