"""Built-in scenarios: dated TOML files shipped with tariffsim, each instrument with its source.

>>> import tariffsim as ts
>>> ts.scenarios.list()  # doctest: +SKIP
['china-rare-earth-controls', 'liberation-day-2025', 'reciprocal-aug-2025', ...]
>>> s = ts.scenarios.load("us-asean-2025")  # doctest: +SKIP

See docs/scenarios.md for what each scenario contains and which figures are illustrative.
"""

from __future__ import annotations

import builtins
from importlib import resources
from pathlib import Path

from ..errors import ScenarioError, suggest
from ..scenario import Scenario

__all__ = ["list", "load", "path"]


def _folder() -> Path:
    return Path(str(resources.files(__name__)))


def list() -> builtins.list[str]:  # noqa: A001 - the public name asked for by the API
    """Names of the built-in scenarios, sorted."""
    return sorted(p.stem for p in _folder().glob("*.toml"))


def path(name: str) -> Path:
    """Path of the TOML file of built-in scenario ``name``."""
    names = list()
    if not isinstance(name, str) or name not in names:
        hint = suggest(name, names) if isinstance(name, str) else ""
        raise ScenarioError(f"scenario: unknown built-in scenario {name!r}{hint}. Built-in "
                            f"scenarios: {', '.join(names)}; or give the path of a TOML file.",
                            field="name")
    return _folder() / f"{name}.toml"


def load(name: str | Path) -> Scenario:
    """Load a built-in scenario by name, or a scenario TOML file by path.

    ``name`` is a built-in name (see :func:`list`) or a path to a ``.toml`` file.
    """
    if isinstance(name, Path) or (isinstance(name, str) and name not in list()
                                  and (name.endswith(".toml") or "/" in name or "\\" in name)):
        return Scenario.from_toml(Path(name))
    return Scenario.from_toml(path(name))
