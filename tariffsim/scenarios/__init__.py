"""Built-in scenarios: dated TOML files shipped with tariffsim, each instrument with its source.

>>> import tariffsim as ts
>>> ts.scenarios.list()  # doctest: +SKIP
['china-rare-earth-controls', 'liberation-day-2025', 'reciprocal-aug-2025', ...]
>>> s = ts.scenarios.load("us-asean-2025")  # doctest: +SKIP

See docs/scenarios.md for what each scenario contains and which figures are illustrative.
"""

from __future__ import annotations

import builtins
import os
import warnings
from importlib import resources
from pathlib import Path

from ..errors import ScenarioError, TariffSimWarning
from ..literals import check_option
from ..scenario import Scenario
from ..scenario_io import is_path

__all__ = ["list", "load", "path", "variant"]


def _folder() -> Path:
    return Path(str(resources.files(__name__)))


def list() -> builtins.list[str]:  # noqa: A001 - the public name asked for by the API
    """Names of the built-in scenarios, sorted."""
    return sorted(p.stem for p in _folder().glob("*.toml"))


def path(name: str) -> Path:
    """Path of the TOML file of built-in scenario ``name``."""
    check_option(name, list(), "scenario", error=ScenarioError,
                 hint="Or give the path of a TOML file.")
    return _folder() / f"{name}.toml"


def load(source: str | os.PathLike[str], variant: str | None = None) -> Scenario:
    """Load a built-in scenario by name, or a scenario TOML file by path.

    With ``variant``, the scenario that ``source`` declares under that name in its
    ``variants`` table ([`variant`][tariffsim.scenarios.variant]):
    ``load("us-asean-2025", variant="as-signed")``.

    The one resolver of scenarios given by name or path, used by every entry point
    (``simulate``, ``project``, ``monte_carlo``, the PE bridge and the CLI). A built-in
    name ([`list`][tariffsim.scenarios.list]) wins, also over a file or folder of the same name in
    the working folder (a ``TariffSimWarning`` says so: write ``./name`` to read the file);
    otherwise ``source`` is read as a file when it looks like a path
    (`tariffsim.scenario_io.is_path`: a `pathlib.Path`, a name ending in ``.toml``, containing a
    path separator, or naming an existing file); anything else is taken for a misspelled built-in
    name (ScenarioError with a did-you-mean).
    """
    if variant is not None:
        return _variant(load(source), _where(source), variant)
    if isinstance(source, str) and source in list():
        if os.path.lexists(source):
            kind = "folder" if os.path.isdir(source) else "file"
            warnings.warn(f"scenario: {source!r} is the built-in scenario of that name; the "
                          f"{kind} {source!r} in the working folder is not read. Write "
                          f"'./{source}' to read the {kind}.", TariffSimWarning, stacklevel=2)
        return Scenario.from_toml(path(source))
    if is_path(source):
        return Scenario.from_toml(Path(source))
    if not isinstance(source, str):
        raise ScenarioError(f"scenario: expected a built-in scenario name or the path of a "
                            f"TOML file, got {type(source).__name__}.", field="scenario")
    return Scenario.from_toml(path(source))


def variant(scenario: Scenario, name: str) -> Scenario:
    """The variant ``name`` a scenario declares (``Scenario.variants``): another version
    of the same policy, such as a deal "as signed" beside the law as it evolved.

    The variant is a built-in scenario name or a TOML path; a relative path is read from
    the built-in scenarios' folder (use [`load`][tariffsim.scenarios.load] with ``variant=`` to read
    it from the folder of the scenario's own file).

    Raises
    ------
    ScenarioError
        The scenario declares no variant of that name (the message lists those it has).
    """
    return _variant(scenario, _folder(), name)


def _where(source: str | os.PathLike[str]) -> Path:
    """The folder relative variant paths of ``source`` are read from."""
    if isinstance(source, str) and source in list():
        return _folder()
    return Path(source).parent


def _variant(scenario: Scenario, folder: Path, name: str) -> Scenario:
    known = dict(scenario.variants)
    if not known:
        raise ScenarioError(f"variant: scenario {scenario.name!r} declares no variants; "
                            f"run it without --variant/--as-signed, or add a [variants] table "
                            f"to its file (docs/scenarios.md).", field="variant")
    check_option(name, known, "variant", error=ScenarioError,
                 hint=f"Scenario {scenario.name!r} declares these variants.")
    target = known[name]
    if isinstance(target, str) and target in list():
        return load(target)
    candidate = folder / target
    return load(candidate if candidate.is_file() else target)
