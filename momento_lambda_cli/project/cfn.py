"""Evaluate CloudFormation intrinsic functions against known parameter values.

``Ref`` to parameters and pseudo parameters, ``Fn::Sub``, ``Fn::If`` over ``Conditions``
(``Fn::Equals`` / ``Not`` / ``And`` / ``Or``), ``Fn::Join``, ``Fn::Select``, ``Fn::Split``,
``Fn::FindInMap``. What cannot be known before deploy (``Fn::GetAtt``, ``Fn::ImportValue``,
an unset parameter, ``AWS::AccountId``) becomes a ``${Name}`` placeholder, which still
compares symbolically (an ARN pattern with a wildcard where the account goes).
"""

from __future__ import annotations

import re
from typing import Any


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


class CfnResolver:
    """Resolve CloudFormation intrinsics against known parameter values."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, Any], region: Any) -> None:
        self.template = template
        self.parameters = parameters
        self.region = region
        self._conditions: dict[str, bool | None] = {}

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::Partition":
            return "aws"
        if name == "AWS::Region" and self.region:
            return str(self.region)
        return "${" + name + "}"

    def condition(self, name: str) -> bool | None:
        if name not in self._conditions:
            self._conditions[name] = None
            spec = (self.template.get("Conditions") or {}).get(name)
            self._conditions[name] = self.truth(spec)
        return self._conditions[name]

    def truth(self, spec: Any) -> bool | None:
        if not isinstance(spec, dict) or len(spec) != 1:
            return None
        ((key, value),) = spec.items()
        if key == "Condition":
            return self.condition(str(value))
        if key == "Fn::Equals" and isinstance(value, list) and len(value) == 2:
            a, b = (self.resolve(v) for v in value)
            if any(isinstance(x, str) and "${" in x for x in (a, b)):
                return None
            return str(a) == str(b)
        if key == "Fn::Not" and isinstance(value, list) and value:
            inner = self.truth(value[0])
            return None if inner is None else not inner
        if key in {"Fn::And", "Fn::Or"} and isinstance(value, list):
            parts = [self.truth(v) for v in value]
            if None in parts:
                return None
            return all(parts) if key == "Fn::And" else any(parts)
        return None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(str(arg))
            if key == "Fn::Sub":
                return self.sub(arg)
            if key == "Fn::GetAtt":
                parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return "${" + ".".join(str(p) for p in parts) + "}"
            if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                truth = self.condition(str(arg[0]))
                return self.resolve(arg[2] if truth is False else arg[1])
            if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                items = self.resolve(arg[1])
                if isinstance(items, list):
                    return str(arg[0]).join(str(i) for i in items)
            if key == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
                items = self.resolve(arg[1])
                try:
                    return items[int(self.resolve(arg[0]))]
                except (TypeError, ValueError, IndexError, KeyError):
                    return "${Select}"
            if key == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
                text = self.resolve(arg[1])
                return str(text).split(str(arg[0]))
            if key == "Fn::ImportValue":
                return "${Import:" + str(self.resolve(arg)) + "}"
            if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) in (3, 4):
                return self.find_in_map([self.resolve(a) for a in arg[:3]])
            if key.startswith("Fn::"):
                return "${" + key + "}"
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in value.items()) if v is not NO_VALUE}

    def find_in_map(self, keys: list[Any]) -> Any:
        """``Fn::FindInMap``: the entry the keys name; when the top-level key is not known (a region
        with none set: CDK's ``LatestNodeRuntimeMap``), the value every entry agrees on, else
        ``${FindInMap:Map}``."""
        mappings = self.template.get("Mappings")
        table = mappings.get(str(keys[0])) if isinstance(mappings, dict) else None
        unresolved = "${FindInMap:" + str(keys[0])[:100] + "}"
        if not isinstance(table, dict) or any(isinstance(k, dict | list) for k in keys):
            return unresolved
        top, second = (str(k) for k in keys[1:])
        if "${" not in top:
            entry = table.get(top)
            found = entry.get(second) if isinstance(entry, dict) else None
            return unresolved if found is None else found
        if "${" in second:
            return unresolved
        values = [entry.get(second) for entry in table.values() if isinstance(entry, dict)]
        if values and all(v is not None and v == values[0] for v in values) and len(values) == len(table):
            return values[0]
        return unresolved

    def sub(self, arg: Any) -> str:
        if isinstance(arg, list) and arg:
            text = str(arg[0])
            local = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
        else:
            text, local = str(arg), {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return str(self.resolve(local[name]))
            if "." in name:
                return "${" + name + "}"
            value = self.ref(name)
            return str(value) if value is not NO_VALUE else ""

        return re.sub(r"\$\{([^}]+)\}", replace, text)
