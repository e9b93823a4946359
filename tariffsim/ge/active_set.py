"""The active-set loop: which inequality targets are in the equilibrium system.

Import commitments and export quotas are inequalities with a complementarity condition
(docs/model.md#instruments-beyond-tariffs). A quota caps exports:

$$
e \\ge 0,\\qquad V \\le \\bar V,\\qquad e\\,(\\bar V - V) = 0
$$

with ``e`` the shadow export tax and ``V`` the capped exports. A commitment is a floor on
imports, the mirror image:

$$
b \\ge 1,\\qquad M \\ge \\underline M,\\qquad (b - 1)(M - \\underline M) = 0
$$

with ``b`` the demand shifter on the committed exporter's goods in the importer. The loop
solves with the active targets as equalities (``V = cap`` or ``M = floor``, the multiplier
an unknown), then adds every slack target the solution violates and drops every active
one whose multiplier has the wrong sign (a negative shadow tax, a shifter below one),
until the set no longer changes. A commitment starts active when its floor lies above
the covered imports of the reference world (an increment always does), a quota inactive.
Each rule is one `_RULES` entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from tariffsim.errors import ConvergenceError
from tariffsim.ge.prepare import Extra
from tariffsim.ge.system import HatSolution

__all__ = ["solve_active_set"]

#: Relative violation of a cap (floor) that activates a quota (commitment); multiplier
#: beyond which an active one is released (shadow tax below 0, log shifter below 0).
_CAP_SLACK = 1e-9
_RELEASE = -1e-12


class _Rule(NamedTuple):
    """How an inequality target enters and leaves the active set."""

    violated: Callable[[Extra, HatSolution], bool]   # inactive, and the solution breaks it
    released: Callable[[Extra, HatSolution], bool]   # active, and its multiplier has the
    #                                                  wrong sign
    multiplier: str                                  # key of the multiplier in sol.extras
    slack_value: float                               # the multiplier when inactive
    start_active: Callable[[Extra], bool]            # in the first solve


_RULES: dict[str, _Rule] = {
    "quota": _Rule(
        violated=lambda q, sol: q.value(sol.flows) > q.target * (1 + _CAP_SLACK),
        released=lambda q, sol: sol.extras[q.label]["shadow_tax"] < _RELEASE,
        multiplier="shadow_tax", slack_value=0.0, start_active=lambda q: False),
    "commitment": _Rule(
        violated=lambda c, sol: c.value(sol.flows) < c.target * (1 - _CAP_SLACK),
        released=lambda c, sol: math.log(sol.extras[c.label]["demand_shifter"]) < _RELEASE,
        multiplier="demand_shifter", slack_value=1.0,
        start_active=lambda c: c.reference is None or c.target > c.reference),
}


def solve_active_set(solve_with: Callable[[list[Extra]], HatSolution],
                     equalities: Sequence[Extra], inequalities: Sequence[Extra]
                     ) -> tuple[HatSolution, dict[str, dict[str, Any]]]:
    """Solve with the equality targets always in the system and the inequality targets
    (commitment floors, quota caps) in it while they bind.

    Parameters
    ----------
    solve_with : callable
        ``solve_with(extras) -> HatSolution``: one equilibrium with those extra unknowns
        (the caller fixes the model, shock terms, closure and tolerances).
    equalities : sequence of Extra
        Targets to meet exactly (none of the built-in instruments is one).
    inequalities : sequence of Extra
        Commitments and quotas (one `_RULES` entry per kind).

    Returns
    -------
    solution : HatSolution
        The equilibrium of the final active set.
    extras : dict
        ``label -> {kind, value, target, binding, demand_shifter | shadow_tax}`` for every
        target; a slack one reports its multiplier at the slack value (a demand shifter
        of one, a zero shadow tax).

    Raises
    ------
    ConvergenceError
        The set still changed after ``2 * len(inequalities) + 2`` rounds (each target
        enters and leaves at most once in a well-posed problem).
    """
    active: list[Extra] = [ex for ex in inequalities if _RULES[ex.kind].start_active(ex)]
    rounds = 2 * len(inequalities) + 2
    for _round in range(rounds):
        sol = solve_with([*equalities, *active])
        changed = False
        for ex in inequalities:
            rule = _RULES[ex.kind]
            if ex in active:
                if rule.released(ex, sol):
                    active.remove(ex)
                    changed = True
            elif rule.violated(ex, sol):
                active.append(ex)
                changed = True
        if not changed:
            break
    else:
        names = sorted({"shocks.commitments" if ex.kind == "commitment" else "shocks.quotas"
                        for ex in inequalities})
        raise ConvergenceError(
            f"{'/'.join(names)}: the set of binding floors and caps did not settle in "
            f"{rounds} rounds (last binding: "
            f"{', '.join(ex.label for ex in active) or 'none'}); they interact too strongly. "
            f"Solve with fewer of them, or replace caps by export taxes.",
            diagnostics={"iterations": rounds, "residual": float("nan")})
    out: dict[str, dict[str, Any]] = {}
    for ex in [*equalities, *inequalities]:
        if ex in active or ex in equalities:
            out[ex.label] = {**sol.extras[ex.label], "binding": True}
        else:
            out[ex.label] = {"kind": ex.kind,
                             _RULES[ex.kind].multiplier: _RULES[ex.kind].slack_value,
                             "target": ex.target, "value": ex.value(sol.flows),
                             "binding": False}
    return sol, out
