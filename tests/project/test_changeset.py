"""The one changeset (project/changeset.py): plan -> diff -> apply all or nothing (unit tier:
failures and concurrent edits are injected through the apply hook, no timing races)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import changeset as cs
from momento_lambda_cli.project.changeset import Change, ChangedMeanwhile, Changeset, Interrupted, unified_diff


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "template.yaml").write_bytes(b"a: 1\r\nb: 2\r\n")
    (root / "samconfig.toml").write_bytes(b"version = 0.1\n")
    (root / "src" / "app.py").write_bytes(b"print(1)\n")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _plan(root: Path) -> Changeset:
    changes = Changeset(root, "add", code="add.changed-meanwhile")
    changes.add(root / "template.yaml", "a: 1\r\nb: 2\r\n", "a: 1\r\nb: 3\r\n")
    changes.add(root / "samconfig.toml", "version = 0.1\n", "version = 0.1\nx = 1\n")
    changes.add(root / "src" / "app.py", "print(1)\n", None)
    changes.add(root / "src" / "new" / "momento_client.py", None, "client = 1\n")
    return changes


def _new_state(root: Path) -> dict[str, bytes]:
    return {
        "samconfig.toml": b"version = 0.1\nx = 1\n",
        "src/new/momento_client.py": b"client = 1\n",
        "template.yaml": b"a: 1\r\nb: 3\r\n",
    }


def test_apply_writes_every_file_and_leaves_no_temp(tmp_path: Path) -> None:
    root = _project(tmp_path)
    written = _plan(root).apply()
    assert written == ["template.yaml", "samconfig.toml", "src/app.py", "src/new/momento_client.py"]
    assert _snapshot(root) == _new_state(root)


def test_no_op_changes_are_dropped_and_apply_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    changes = Changeset(root, "add")
    changes.add(root / "template.yaml", "same", "same")
    assert not changes and changes.apply() == [] and changes.diff() == ""


def test_one_diff_renderer_for_edits_creations_removals_and_crlf() -> None:
    assert unified_diff("t.yaml", "a\r\nb\r\n", "a\r\nc\r\n") == (
        "--- a/t.yaml\n+++ b/t.yaml\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"
    )
    assert unified_diff("n.py", None, "x").startswith("--- /dev/null\n+++ b/n.py\n")
    assert unified_diff("n.py", None, "x").endswith("+x\n\\ No newline at end of file\n")
    assert unified_diff("o.py", "x\n", None).startswith("--- a/o.py\n+++ /dev/null\n")
    assert Change(Path("p"), "p", "a\n", "a\n").diff() == ""


@pytest.mark.parametrize("step", ["checked", "staged"])
def test_a_file_saved_meanwhile_stops_everything(tmp_path: Path, step: str) -> None:
    """The edit lands after the first check (hook "checked") or after staging: the second
    check catches it, nothing is written, no temp is left, the user's save is kept."""
    root = _project(tmp_path)

    def save(name: str, _change: Change | None) -> None:
        if name == step:
            (root / "samconfig.toml").write_bytes(b"version = 0.1\n# mine\n")

    with pytest.raises(ChangedMeanwhile) as caught:
        _plan(root).apply(hook=save)
    assert caught.value.message == "samconfig.toml changed while `momento-lambda add` ran; nothing was written."
    assert caught.value.hint == "Run `momento-lambda add` again."
    assert caught.value.code == "add.changed-meanwhile"
    after = _snapshot(root)
    assert after == {
        "samconfig.toml": b"version = 0.1\n# mine\n",
        "src/app.py": b"print(1)\n",
        "template.yaml": b"a: 1\r\nb: 2\r\n",
    }
    assert not (root / "src" / "new").exists()


def test_a_file_created_meanwhile_is_a_change_too(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "src" / "new").mkdir()
    (root / "src" / "new" / "momento_client.py").write_text("mine\n")
    with pytest.raises(ChangedMeanwhile, match=r"src/new/momento_client\.py changed while"):
        _plan(root).apply()
    assert (root / "src" / "new" / "momento_client.py").read_text() == "mine\n"
    assert (root / "template.yaml").read_bytes() == b"a: 1\r\nb: 2\r\n"


@pytest.mark.parametrize("after", [1, 2, 3, 4])
def test_a_failure_after_some_renames_rolls_every_file_back(tmp_path: Path, after: int) -> None:
    root = _project(tmp_path)
    before = _snapshot(root)
    renamed: list[str] = []

    def fail(name: str, change: Change | None) -> None:
        if name == "renamed" and change is not None:
            renamed.append(change.relative)
            if len(renamed) == after:
                raise OSError(28, "No space left on device")

    with pytest.raises(MomentoLambdaError, match="nothing was changed"):
        _plan(root).apply(hook=fail)
    assert _snapshot(root) == before
    assert not (root / "src" / "new").exists()


@pytest.mark.parametrize("after", [0, 2, 4])
def test_sigint_between_renames_rolls_back(tmp_path: Path, after: int) -> None:
    """Ctrl-C between two renames (the signal handler runs inside the hook): all or none."""
    root = _project(tmp_path)
    before = _snapshot(root)
    count = [0]

    def interrupt(name: str, _change: Change | None) -> None:
        if name == ("renamed" if after else "staged"):
            count[0] += 1
            if count[0] == max(after, 1):
                os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(Interrupted) as caught:
        _plan(root).apply(hook=interrupt)
    assert caught.value.exit_code == 130
    assert _snapshot(root) == before
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_between_renames_rolls_back(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = _snapshot(root)

    def terminate(name: str, _change: Change | None) -> None:
        if name == "renamed":
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(Interrupted):
        _plan(root).apply(hook=terminate)
    assert _snapshot(root) == before


def test_a_signal_after_the_last_rename_keeps_the_change_and_is_delivered(tmp_path: Path) -> None:
    root = _project(tmp_path)

    def interrupt(name: str, _change: Change | None) -> None:
        if name == "committed":
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        _plan(root).apply(hook=interrupt)
    assert _snapshot(root) == _new_state(root)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="POSIX permissions; root writes anyway")
def test_a_read_only_folder_is_a_clear_error_and_nothing_changes(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = _snapshot(root)
    os.chmod(root / "src", 0o500)
    try:
        with pytest.raises(MomentoLambdaError) as caught:
            _plan(root).apply()
    finally:
        os.chmod(root / "src", 0o700)
    assert caught.value.code == "project.not-writable"
    assert "is not writable" in caught.value.message and "nothing was changed" in caught.value.message
    assert str(root / "src") in caught.value.message
    assert _snapshot(root) == before


def test_mode_is_kept_and_symlinks_are_written_through(tmp_path: Path) -> None:
    root = _project(tmp_path)
    os.chmod(root / "samconfig.toml", 0o600)
    (root / "real.yml").write_text("x: 1\n")
    (root / "link.yml").symlink_to("real.yml")
    changes = Changeset(root, "store-token")
    changes.add(root / "samconfig.toml", "version = 0.1\n", "version = 0.2\n")
    changes.add(root / "link.yml", "x: 1\n", "x: 2\n")
    changes.apply()
    assert (root / "samconfig.toml").stat().st_mode & 0o777 == 0o600
    assert (root / "link.yml").is_symlink() and (root / "real.yml").read_text() == "x: 2\n"


def test_a_killed_writers_temps_are_swept_by_the_next_apply(tmp_path: Path) -> None:
    root = _project(tmp_path)
    dead = root / f".template.yaml.{2**22 + 12345}.abc_123{cs.TEMP_SUFFIX}"
    dead.write_text("half")
    live = root / f".template.yaml.{os.getppid()}.zzz{cs.TEMP_SUFFIX}"
    live.write_text("another writer, still running")
    _plan(root).apply()
    assert not dead.exists() and live.exists()


def test_the_lock_file_is_outside_the_project(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert root not in cs.lock_path(root).parents
    with cs.project_lock(root):
        pass
    assert _snapshot(root).keys() == {"samconfig.toml", "src/app.py", "template.yaml"}


def test_a_folder_that_refuses_writes_is_a_clear_error_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same refusal simulated (root may write anywhere): EACCES on the temp in src/."""
    root = _project(tmp_path)
    before = _snapshot(root)
    real = cs.tempfile.mkstemp

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        folder = Path(str(kwargs["dir"]))
        if folder == root / "src":
            raise PermissionError(13, "Permission denied", str(folder / ".app.py.1.x.ml-tmp"))
        return real(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(cs.tempfile, "mkstemp", refuse)
    with pytest.raises(MomentoLambdaError) as caught:
        _plan(root).apply()
    assert caught.value.code == "project.not-writable"
    assert caught.value.message == (
        f"Cannot write the folder {root / 'src'} (the folder {root / 'src'} is not writable: Permission denied); "
        "nothing was changed."
    )
    assert _snapshot(root) == before
