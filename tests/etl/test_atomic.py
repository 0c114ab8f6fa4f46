"""Tests of etl.atomic: a write replaces the file whole, or leaves it byte-identical."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from etl.atomic import atomic_path, process_alive, remove_stale


def _dead_pid() -> int:
    """The id of a process that has just exited."""
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(gone.stdout)


def test_success_replaces_the_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_bytes(b"old")
    with atomic_path(target) as tmp:
        assert tmp.parent.parent == tmp_path and tmp.name == "x.csv" and not tmp.exists()
        assert tmp.parent.name.startswith(f".x.csv.{os.getpid()}.")
        assert tmp.parent.name.endswith(".tmp")
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # readers see the old file until the end
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["x.csv"]


def test_suffix_and_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.dat"
    with atomic_path(target, suffix=".gpkg", parents=True) as tmp:
        assert tmp.name == "x.gpkg"
        tmp.write_bytes(b"new")
        (tmp.parent / "x.gpkg-journal").write_bytes(b"sidecar")  # goes with the folder
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["x.dat"]


def test_missing_folder_is_an_error_without_parents(tmp_path: Path) -> None:
    with (
        pytest.raises(FileNotFoundError, match="No such file or directory"),
        atomic_path(tmp_path / "absent" / "x.csv"),
    ):
        pytest.fail("the body must not run")  # pragma: no cover
    assert os.listdir(tmp_path) == []


def test_failure_leaves_the_old_file_byte_identical_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    old = b"code;nom\r\n35001;\xc3\x89cole\r\n"
    target.write_bytes(old)
    with pytest.raises(OSError, match="No space left on device"), atomic_path(target) as tmp:
        tmp.write_bytes(b"half-written")
        raise OSError(28, "No space left on device")
    assert target.read_bytes() == old
    assert os.listdir(tmp_path) == ["x.csv"]


def test_failure_before_any_file_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    with pytest.raises(ValueError, match="bad data"), atomic_path(target):
        raise ValueError("bad data")
    assert os.listdir(tmp_path) == []


def test_unwritable_folder_raises_before_the_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Tests run as root here, where chmod cannot make a folder unwritable.)"""

    def refuse(**kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    ran = []
    with (
        pytest.raises(PermissionError, match="Permission denied"),
        atomic_path(tmp_path / "x.csv"),
    ):
        ran.append(True)  # pragma: no cover
    assert ran == [] and os.listdir(tmp_path) == []


def test_stale_temp_of_a_dead_process_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    stale = tmp_path / f".x.csv.{_dead_pid()}.abcd.tmp"
    stale.mkdir()
    (stale / "x.csv").write_bytes(b"partial")
    running = tmp_path / f".x.csv.{os.getpid()}.efgh.tmp"
    running.mkdir()
    other = tmp_path / ".y.csv.1.ijkl.tmp"  # another file's temp: not ours to judge
    other.mkdir()
    with atomic_path(target) as tmp:
        assert not stale.exists()
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert running.is_dir() and other.is_dir()


def test_remove_stale_keeps_what_is_not_a_dead_writers_folder(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    dead = _dead_pid()
    kept = [
        tmp_path / f".x.csv.{os.getpid()}.a.tmp",  # running
        tmp_path / ".x.csv.notapid.b.tmp",  # not a pid
    ]
    for folder in kept:
        folder.mkdir()
    file_named_like_one = tmp_path / f".x.csv.{dead}.c.tmp"  # a file, not a folder
    file_named_like_one.write_bytes(b"")
    gone = tmp_path / f".x.csv.{dead}.d.tmp"
    gone.mkdir()
    assert remove_stale(target) == [gone]
    assert all(folder.is_dir() for folder in kept) and file_named_like_one.is_file()


def test_process_alive() -> None:
    assert process_alive(os.getpid())
    assert not process_alive(_dead_pid())
    assert not process_alive(10**30)
