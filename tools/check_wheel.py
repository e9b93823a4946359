"""Check that a wheel ships the whole package: every file of tariffsim/ in the repository
(code, embedded data, built-in scenarios, ``py.typed``) and the version of pyproject.toml.

    python tools/check_wheel.py --build          # build one from a clean copy, check it
    python tools/check_wheel.py dist/tariffsim-0.1.0-py3-none-any.whl

``--build`` copies the repository's files (``git ls-files``) to a temporary folder and runs
``pip wheel --no-deps`` there: a build in the working tree would reuse the ``build/`` and
``*.egg-info/`` folders an earlier build or an editable install left, whose file lists
make setuptools ship files that pyproject.toml no longer asks for. Run by .ci/run. Exit
status 1, with the missing files named, when something is left out (a new data folder
without its ``package-data`` pattern in pyproject.toml).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package_files() -> set[str]:
    """The files of tariffsim/ that a wheel must hold (repository paths)."""
    try:
        out = subprocess.run(["git", "ls-files", "tariffsim"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the tree
        out = [str(p.relative_to(ROOT)) for p in (ROOT / "tariffsim").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts]
    return set(out) | {"tariffsim/py.typed"}


def check(wheel: Path) -> list[str]:
    """Problems with ``wheel`` (empty when it is complete)."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    problems = []
    if not wheel.name.startswith(f"tariffsim-{version}-"):
        problems.append(f"{wheel.name}: not version {version} (pyproject.toml)")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(package_files() - names)
    if missing:
        problems.append(f"{wheel.name} lacks {len(missing)} file(s) of the package: "
                        f"{', '.join(missing[:20])}; add their pattern to "
                        f"[tool.setuptools.package-data] in pyproject.toml")
    return problems


def tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.splitlines()


def build(into: Path) -> Path:
    """A wheel built from a clean copy of the repository's files, in ``into``."""
    src = into / "src"
    for name in tracked():
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(src),
                    "-w", str(into / "dist")], check=True)
    return next((into / "dist").glob("tariffsim-*.whl"))


def report(wheel: Path) -> int:
    problems = check(wheel)
    for p in problems:
        print(f"check_wheel: {p}")
    if not problems:
        print(f"check_wheel: {wheel.name} ships all {len(package_files())} files")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if argv == ["--build"]:
        with tempfile.TemporaryDirectory() as tmp:
            return report(build(Path(tmp)))
    if len(argv) != 1:
        print(__doc__)
        return 2
    return report(Path(argv[0]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
