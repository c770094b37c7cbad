"""`info` shows which tools it is still asking for their versions (unit tier: the tools are
stand-ins, no process starts)."""

from __future__ import annotations

import io
import itertools
import time

from rich.console import Console

from momento_lambda_cli import console, info
from momento_lambda_cli.commands import info as info_command


def test_tools_reports_the_tools_still_being_asked(monkeypatch):
    delays = {name: 0.01 * i for i, name in enumerate(info.TOOLS)}

    def fake_tool(name, args):
        time.sleep(delays[name])
        return {"path": f"/bin/{name}", "version": f"{name} 1.0"}

    monkeypatch.setattr(info, "_tool", fake_tool)
    heard: list[list[str]] = []
    found = info.tools(progress=heard.append)
    assert heard[0] == list(info.TOOLS)
    assert heard[-1] == []
    assert len(heard) == len(info.TOOLS) + 1
    assert all(set(later) <= set(earlier) for earlier, later in itertools.pairwise(heard))
    assert found[next(iter(info.TOOLS))]["version"].endswith("1.0")


def test_the_status_line_shows_on_a_terminal_only(monkeypatch):
    terminal = Console(file=io.StringIO(), force_terminal=True)
    monkeypatch.setattr(console, "stderr", lambda: terminal)
    with info_command.probing(json_output=False) as update:
        assert update is not None
        update(["sam", "docker"])
    with info_command.probing(json_output=True) as update:
        assert update is None
    piped = Console(file=io.StringIO(), force_terminal=False)
    monkeypatch.setattr(console, "stderr", lambda: piped)
    with info_command.probing(json_output=False) as update:
        assert update is None
