"""Atomic file writes: a reader never sees a half-written result file.

Every file tariffsim writes (``Result.to_csv``, ``Scenario.write_toml``, the CLI's
outputs) goes through `write_atomic`; JSON goes through `json_text` first, so
that it is always valid JSON.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError

__all__ = ["write_atomic", "json_text", "output_error", "FolderSwap"]


def write_atomic(path: str | os.PathLike, data: bytes | str, *, field: str = "path") -> Path:
    """Write ``data`` to ``path`` atomically.

    The data go to a hidden temporary file in the same folder (created, like any new
    file, with mode ``0o666`` less the process umask; a file that replaces an existing one
    takes that file's mode), which is flushed, synced and then renamed over ``path``
    (``os.replace`` is atomic on POSIX and Windows). On any failure the temporary file is
    removed and an existing ``path`` is left as it was; temporary files of ``path`` that
    killed writes left behind are removed first (`clean_stale_temps`). Text is written as
    UTF-8 with the newlines it contains (no translation), so the bytes are the same on
    every platform.
    Missing folders are created.

    Parameters
    ----------
    path : str or path
        The file to write.
    data : bytes or str
        Its contents.
    field : str
        The argument the path came in (``"folder"``, ``"--out"``), named in errors.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        The file cannot be written: a folder on the way is a file, ``path`` is a folder,
        permission denied, a read-only or full disk. The message names the path and the
        fix (`output_error`).
    """
    if not isinstance(path, str | os.PathLike) or (isinstance(path, str) and not path):
        raise DataError(f"{field}: expected a file path, got {path!r}.", field=field)
    if "\x00" in os.fsdecode(path):
        raise DataError(f"{field}: the path {os.fsdecode(path)!r} holds a NUL byte; give a plain "
                        f"file path.", field=field)
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        is_dir = path.is_dir()
    except OSError as exc:
        raise output_error(path, exc, field) from None
    if is_dir:
        raise output_error(path, IsADirectoryError(errno.EISDIR, "Is a directory"), field)
    try:
        keep = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        keep = None
    clean_stale_temps(path)
    try:
        fd, tmp = _create_temp(path)
    except OSError as exc:
        raise output_error(path, exc, field) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if keep is not None:
                os.fchmod(fh.fileno(), keep)
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise output_error(path, exc, field) from None
        raise
    return path


#: Age after which a temporary file of an older tariffsim (``.<name>.<hex>.tmp``, without
#: the writer's process id) counts as the leftover of a killed write [seconds].
_LEGACY_TEMP_AGE = 3600.0


def clean_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files that killed writes of ``path`` left beside it:
    ``.<name>.<pid>-<hex>.tmp`` whose process is gone, and ``.<name>.<hex>.tmp`` (older
    versions, no process id) more than an hour old. Returns what was removed."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(?:(\d+)-)?[0-9a-f]{{8}}\.tmp$")
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    for p in entries:
        m = pattern.match(p.name)
        if not m:
            continue
        try:
            if m.group(1) is not None:
                stale = not _pid_alive(int(m.group(1)), p)
            else:
                stale = time.time() - p.stat().st_mtime > _LEGACY_TEMP_AGE
            if stale and p.is_file() and not p.is_symlink():
                p.unlink()
                removed.append(p)
        except OSError:
            continue
    return removed


def _create_temp(path: Path) -> tuple[int, str]:
    """A new hidden file ``.<name>.<pid>-<random>.tmp`` beside ``path``, opened for
    writing (the process id lets a later write tell a killed write's leftover from a
    write in progress: `clean_stale_temps`).

    ``os.open`` with mode ``0o666`` lets the kernel apply the umask, as for any new file
    (``tempfile.mkstemp`` would create it ``0o600`` whatever the umask).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def _file_on_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` when it is a file (not a folder)."""
    for p in [path, *path.parents]:
        try:
            if p.exists():
                return None if p.is_dir() else p
        except (OSError, ValueError):
            continue
    return None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def output_error(path: Path, exc: OSError, field: str = "path") -> DataError:
    """A DataError for an output file that cannot be written, naming ``path`` and the fix."""
    code = exc.errno
    blocker = _file_on_the_way(path.parent)
    if blocker is not None:
        why = (f"{str(blocker)!r} is a file, not a folder; choose another folder, or move "
               f"the file away")
    elif code == errno.EISDIR or _is_dir(path):
        why = (f"{str(path)!r} is a folder; give a file name inside it, or remove or rename "
               f"the folder")
    elif code in (errno.EACCES, errno.EPERM):
        why = ("permission denied; choose a folder you can write to, or change the folder's "
               "permissions")
    elif code == errno.EROFS:
        why = "the file system is read-only; choose a folder on a writable disk"
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        why = "no space left on the disk (or the quota is full); free space or choose another disk"
    elif code == errno.ENAMETOOLONG:
        why = "the name is too long; choose a shorter path"
    else:
        why = f"{exc.strerror or exc}; check the path"
    return DataError(f"{field}: cannot write {str(path)!r}: {why}.", field=field)


def _plain(value: Any) -> Any:
    """``value`` with NaN and infinities as None and numpy scalars and arrays as Python."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_text(obj: Any) -> str:
    """``obj`` as indented JSON with sorted keys and a final newline; always valid JSON.

    ``json.dumps`` writes NaN and infinities as the bare words ``NaN`` and ``Infinity``,
    which JSON does not allow (``jq``, JavaScript and most readers reject the file); here
    they become ``null``. Numpy scalars and arrays become numbers and lists; other objects
    their ``str``.
    """
    return json.dumps(_plain(obj), indent=2, sort_keys=True, default=str,
                      allow_nan=False) + "\n"


# ------------------------------------------------------------------ whole-folder swaps
#: Name of the staging and set-aside folders of a `FolderSwap` of ``<out>``:
#: ``.<out>.tariffsim-new-<pid>-<hex>`` and ``.<out>.tariffsim-old-<pid>-<hex>``, beside
#: ``<out>``. A run killed midway leaves one of them; the next run into ``<out>`` removes
#: it (only when the process that made it is gone, so two runs never clean each other's;
#: on Windows, where a process cannot be probed safely, when it is a day old).
_STAGE = re.compile(r"^\.(?P<out>.+)\.tariffsim-(?P<kind>new|old)-(?P<pid>\d+)-[0-9a-f]+$")


def _pid_alive(pid: int, path: Path | None = None) -> bool:
    """Whether the process that made a staging folder may still be running."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        try:
            return path is None or time.time() - path.stat().st_mtime < 86400
        except OSError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process: alive, leave its folders alone
    return True


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class FolderSwap:
    """Write a set of output files into a fresh folder and swap it in whole.

    ``FolderSwap(out, owned=...)`` checks ``out`` and creates the staging folder
    ``.<out>.tariffsim-new-<pid>-<hex>`` beside it at once, so that a folder that cannot
    be written is reported before any long computation. The caller writes its files into
    `path`, then `commit` swaps the folders: the old ``out`` (if any) is
    renamed aside to ``.<out>.tariffsim-old-...``, the staging folder is renamed to
    ``out`` and the old one removed. A process killed at any point leaves ``out`` holding
    the complete old set of files or the complete new one, never a mix; if it is killed
    between the two renames ``out`` is missing and the next run puts the old folder back
    before it starts. Leftover staging and set-aside folders of processes that are gone
    are removed when the next swap into the same ``out`` begins. Used as a context manager,
    the swap is committed when the block ends without an exception and discarded
    otherwise.

    New folders and files follow the process umask (``os.mkdir`` with mode ``0o777``;
    `write_atomic` files ``0o666``), as any the user creates.

    Parameters
    ----------
    out : str or path
        The output folder.
    owned : collection of str
        The names of the files a run writes. An existing ``out`` holding anything else is
        refused (``DataError``): the swap would delete the user's other files.
    field : str
        The argument ``out`` came in, named in errors (``"--out"``).

    Raises
    ------
    DataError
        ``out`` is a file, holds files the run does not own, is the working folder or one
        above it, or its parent cannot be written; the message names ``field``, the path
        and the fix.
    """

    def __init__(self, out: str | os.PathLike, *, owned: Collection[str],
                 field: str = "out") -> None:
        self.field = field
        if not isinstance(out, str | os.PathLike) or not os.fsdecode(out).strip() or (
                "\x00" in os.fsdecode(out)):
            raise DataError(f"{field}: expected a folder path, got {out!r}.", field=field)
        self.out = Path(os.path.abspath(out))
        self.owned = frozenset(owned)
        self.parent = self.out.parent
        self._check()
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(self.out, exc, field) from None
        self.clean_stale()
        self.path = self._new_folder("new")
        self.done = False

    def _fail(self, why: str) -> DataError:
        return DataError(f"{self.field}: {why}", field=self.field)

    def _check(self) -> None:
        out = self.out
        cwd = Path(os.path.abspath(os.getcwd()))
        if out == cwd or out in cwd.parents or out.parent == out:
            raise self._fail(f"{str(out)!r} is the working folder or a folder above it; the "
                             f"run replaces its output folder whole. Give a new folder "
                             f"(--out results).")
        blocker = _file_on_the_way(out)
        if blocker is not None:
            raise self._fail(f"{str(blocker)!r} is a file, not a folder; give a folder name "
                             f"that is not taken (--out results), or move the file away.")
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise self._fail(f"{str(out)!r} is not a plain folder; give a new folder name.")
        if out.is_dir():
            try:
                names = [p.name for p in out.iterdir()]
            except OSError as exc:
                raise output_error(out, exc, self.field) from None
            foreign = sorted(n for n in names if n not in self.owned
                             and not (n.startswith(".") and n.endswith(".tmp")))
            if foreign:
                shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
                raise self._fail(f"{str(out)!r} holds files a run does not write ({shown}); "
                                 f"the run replaces the folder whole and would delete them. "
                                 f"Give a new or empty folder, or a previous output folder.")

    def _new_folder(self, kind: str) -> Path:
        for _ in range(100):
            path = self.parent / (f".{self.out.name}.tariffsim-{kind}-{os.getpid()}-"
                                  f"{secrets.token_hex(4)}")
            try:
                os.mkdir(path, 0o777)  # the umask applies, as for any new folder
                return path
            except FileExistsError:
                continue
            except OSError as exc:
                raise output_error(self.out, exc, self.field) from None
        raise output_error(self.out, FileExistsError(errno.EEXIST, "no free folder name"),
                           self.field)

    def clean_stale(self) -> list[Path]:
        """Remove the staging and set-aside folders of killed runs into ``out`` (those of
        processes that are gone); when ``out`` itself is missing (a run killed between its
        two renames), put the newest set-aside folder back first. Returns what was
        removed."""
        stale = []
        try:
            entries = list(self.parent.iterdir())
        except OSError:
            return []
        for p in entries:
            m = _STAGE.match(p.name)
            if (m and m["out"] == self.out.name and p.is_dir() and not p.is_symlink()
                    and not _pid_alive(int(m["pid"]), p)):
                stale.append((m["kind"], p))
        if not self.out.exists():
            old = sorted((p for kind, p in stale if kind == "old"),
                         key=lambda p: p.stat().st_mtime)
            if old:
                os.replace(old[-1], self.out)
                stale = [(k, p) for k, p in stale if p != old[-1]]
        removed = []
        for _, p in stale:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
        return removed

    def commit(self) -> Path:
        """Swap the staging folder in as ``out``; returns ``out``."""
        if self.done:
            return self.out
        _fsync_dir(self.path)
        aside = None
        try:
            if self.out.exists():
                aside = self.parent / (f".{self.out.name}.tariffsim-old-{os.getpid()}-"
                                       f"{secrets.token_hex(4)}")
                os.replace(self.out, aside)
            os.replace(self.path, self.out)
        except OSError as exc:
            if aside is not None and not self.out.exists():
                os.replace(aside, self.out)
            self.discard()
            raise output_error(self.out, exc, self.field) from None
        self.done = True
        _fsync_dir(self.parent)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
        return self.out

    def discard(self) -> None:
        """Remove the staging folder (the old ``out`` is left as it was)."""
        self.done = True
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> FolderSwap:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
