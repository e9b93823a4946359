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
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError

__all__ = ["write_atomic", "json_text", "output_error"]


def write_atomic(path: str | os.PathLike, data: bytes | str, *, field: str = "path") -> Path:
    """Write ``data`` to ``path`` atomically.

    The data go to a hidden temporary file in the same folder (created, like any new
    file, with mode ``0o666`` less the process umask; a file that replaces an existing one
    takes that file's mode), which is flushed, synced and then renamed over ``path``
    (``os.replace`` is atomic on POSIX and Windows). On any failure the temporary file is
    removed and an existing ``path`` is left as it was. Text is written as UTF-8 with the
    newlines it contains (no translation), so the bytes are the same on every platform.
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
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(path, exc, field) from None
    if path.is_dir():
        raise output_error(path, IsADirectoryError(errno.EISDIR, "Is a directory"), field)
    try:
        keep = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        keep = None
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


def _create_temp(path: Path) -> tuple[int, str]:
    """A new hidden file ``.<name>.<random>.tmp`` beside ``path``, opened for writing.

    ``os.open`` with mode ``0o666`` lets the kernel apply the umask, as for any new file
    (``tempfile.mkstemp`` would create it ``0o600`` whatever the umask).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def _file_on_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` when it is a file (not a folder)."""
    for p in [path, *path.parents]:
        if p.exists():
            return None if p.is_dir() else p
    return None


def output_error(path: Path, exc: OSError, field: str = "path") -> DataError:
    """A DataError for an output file that cannot be written, naming ``path`` and the fix."""
    code = exc.errno
    blocker = _file_on_the_way(path.parent)
    if blocker is not None:
        why = (f"{str(blocker)!r} is a file, not a folder; choose another folder, or move "
               f"the file away")
    elif code == errno.EISDIR or path.is_dir():
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
