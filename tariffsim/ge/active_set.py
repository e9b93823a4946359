"""The active-set loop: which inequality targets are in the equilibrium system.

Import commitments are equality targets: each is one extra unknown (a demand shifter) in
every solve. An export quota is an inequality with a complementarity condition (MODEL.md
section 3):

.. math:: e \\ge 0,\\qquad V \\le \\bar V,\\qquad e\\,(\\bar V - V) = 0

with ``e`` the shadow export tax and ``V`` the capped exports. The loop solves with the
active quotas as equalities (``V = cap``, ``e`` an unknown), then adds every slack quota
whose exports exceed the cap and drops every active one whose shadow tax turned negative,
until the set no longer changes.

A floor (a commitment solved as ``b >= 1, M >= target``) is the mirror image: active
when imports fall short, released when its shifter falls below one. It belongs in
:data:`_RULES` next to the quota's rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from tariffsim.errors import ConvergenceError
from tariffsim.ge.prepare import Extra
from tariffsim.ge.system import HatSolution

__all__ = ["solve_active_set"]

#: Relative violation of a cap that activates a quota; negative shadow tax that releases it.
_CAP_SLACK = 1e-9
_RELEASE = -1e-12


class _Rule(NamedTuple):
    """How an inequality target enters and leaves the active set."""

    violated: Callable[[Extra, HatSolution], bool]   # inactive, and the solution breaks it
    released: Callable[[Extra, HatSolution], bool]   # active, and its multiplier has the
    #                                                  wrong sign
    multiplier: str                                  # key of the multiplier in sol.extras
    slack_value: float                               # the multiplier when inactive


_RULES: dict[str, _Rule] = {
    "quota": _Rule(
        violated=lambda q, sol: q.value(sol.flows) > q.target * (1 + _CAP_SLACK),
        released=lambda q, sol: sol.extras[q.label]["shadow_tax"] < _RELEASE,
        multiplier="shadow_tax", slack_value=0.0),
}


def solve_active_set(solve_with: Callable[[list[Extra]], HatSolution],
                     equalities: Sequence[Extra], inequalities: Sequence[Extra]
                     ) -> tuple[HatSolution, dict[str, dict[str, Any]]]:
    """Solve with the equality targets always in the system and the inequality targets
    in it while they bind.

    Parameters
    ----------
    solve_with : callable
        ``solve_with(extras) -> HatSolution``: one equilibrium with those extra unknowns
        (the caller fixes the model, shock terms, closure and tolerances).
    equalities : sequence of Extra
        Commitments.
    inequalities : sequence of Extra
        Quotas (one :data:`_RULES` entry per kind).

    Returns
    -------
    solution : HatSolution
        The equilibrium of the final active set.
    extras : dict
        ``label -> {kind, value, target, demand_shifter | shadow_tax}`` for every target;
        a slack inequality reports its multiplier at the slack value (a zero shadow tax).

    Raises
    ------
    ConvergenceError
        The set still changed after ``2 * len(inequalities) + 2`` rounds (each target
        enters and leaves at most once in a well-posed problem).
    """
    active: list[Extra] = []
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
        raise ConvergenceError(
            f"shocks.quotas: the set of binding quotas did not settle in {rounds} rounds "
            f"(last: {', '.join(ex.label for ex in active) or 'none'}); the caps interact "
            f"too strongly. Solve with fewer quotas, or replace some by export taxes.",
            diagnostics={"iterations": rounds, "residual": float("nan")})
    out = {k: v for k, v in sol.extras.items() if v["kind"] == "commitment"}
    for ex in inequalities:
        out[ex.label] = sol.extras[ex.label] if ex in active else {
            "kind": ex.kind, _RULES[ex.kind].multiplier: _RULES[ex.kind].slack_value,
            "target": ex.target, "value": ex.value(sol.flows)}
    return sol, out
