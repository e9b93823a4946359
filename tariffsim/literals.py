"""Option vocabularies: every word-valued option of tariffsim, in one place.

Each vocabulary is a `typing.Literal` type (for signatures and type checkers) and a
tuple of its words derived from it (for messages and command-line choices), so that a
word is spelled once. `check_option` is the one validator: it returns the value
when it belongs to the vocabulary and otherwise raises the given tariffsim error, naming
the field, the choices and the closest word, with the same message everywhere.

The pattern follows pyfixest's ``internals/literals.py``.

Examples
--------
>>> from tariffsim.literals import Closure, check_option
>>> check_option("balanced", Closure, "closure")
'balanced'
>>> check_option("balance", Closure, "closure")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ModelError: closure: got 'balance' (did you mean 'balanced'?); choose one of
['fixed_deficit', 'deficit_ratio', 'balanced'].
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, get_args

from .errors import DataError, ModelError, ScenarioError, suggest

__all__ = [
    "Closure",
    "Rents",
    "RevenueUse",
    "YearRule",
    "Model",
    "PEModel",
    "TariffMode",
    "InstrumentKind",
    "Units",
    "OnError",
    "BalanceSign",
    "SurplusLayout",
    "DiversionMeasure",
    "BarOrientation",
    "ReportedFlow",
    "TradeVintage",
    "HSLevel",
    "CommitmentBasis",
    "PolicyFamily",
    "Retaliation",
    "BalanceSectors",
    "CLOSURES",
    "RENTS",
    "REVENUE_USES",
    "YEAR_RULES",
    "MODELS",
    "PE_MODELS",
    "TARIFF_MODES",
    "INSTRUMENT_KINDS",
    "UNITS",
    "ON_ERROR",
    "BALANCE_SIGNS",
    "DIVERSION_MEASURES",
    "BAR_ORIENTATIONS",
    "REPORTED_FLOWS",
    "TRADE_VINTAGES",
    "HS_LEVELS",
    "COMMITMENT_BASES",
    "POLICY_FAMILIES",
    "DEFAULT_YEAR_RULE",
    "RETALIATIONS",
    "BALANCE_SECTORS",
    "choices",
    "check_option",
]

#: How the trade balances close in a GE counterfactual: fixed nominal deficits (in units
#: of the numeraire), deficits fixed as a share of world GDP, or all balances set to zero.
Closure = Literal["fixed_deficit", "deficit_ratio", "balanced"]

#: Who receives the revenue of an export wedge or quota: the exporting country, or nobody
#: (the rent is dissipated, like an iceberg cost).
Rents = Literal["exporter", "dissipated"]

#: How tariff revenue returns to households in a GE counterfactual: a lump-sum rebate, or
#: a cut in the tax on labour income (which raises labour supply when it is elastic).
RevenueUse = Literal["lump_sum", "income_tax"]

#: How a policy that starts or ends within a year counts in that year: as in force on
#: 1 July, or weighted by the days it is in force.
YearRule = Literal["mid-year", "average"]

#: The one default of every ``year_rule=`` argument (resolver, simulate, PE engines,
#: projections, Monte Carlo): a year's policy weighted by the days each regime is in force,
#: so that a year whose law changes (2026: IEEPA duties to 23 Feb, the Section 122
#: surcharge to 23 Jul, the Section 301 tiers after) counts every regime for its days.
DEFAULT_YEAR_RULE: YearRule = "average"

#: The engines of [`tariffsim.simulate`][]: general equilibrium and the two partial-
#: equilibrium models.
Model = Literal["ge", "smart", "gsim"]

#: The partial-equilibrium engines (`tariffsim.pe`).
PEModel = Literal["smart", "gsim"]

#: How a [`tariffsim.Tariff`][] rate combines with the tariff already there: replace it,
#: add to it, or raise it to at least the rate.
TariffMode = Literal["set", "add", "floor"]

#: The ``type`` of an instrument in a scenario TOML file.
InstrumentKind = Literal["tariff", "trade_cost", "import_commitment", "export_restriction"]

#: What the ``value`` of an [`tariffsim.ImportCommitment`][] is: an increment of annual
#: imports over the baseline, or the level annual imports must reach.
CommitmentBasis = Literal["increment", "level"]

#: The instrument families an outcome is split into ([`tariffsim.Projection.decompose`][]):
#: tariffs, purchase commitments, and everything else (trade costs, export restrictions).
PolicyFamily = Literal["tariff", "commitment", "other"]

#: Currency units of commitment values, quota caps and baselines that can be converted.
Units = Literal["USD", "USD thousand", "USD million", "USD billion"]

#: What a Monte Carlo draw that raises does: stop the run, or be recorded and skipped.
OnError = Literal["raise", "skip"]

#: Whose balance a surplus plot shows: the country's with the partner, or the partner's.
BalanceSign = Literal["country", "partner"]

#: How a surplus-paths plot lays out several countries: one axes for all ("overlay"), one
#: axes per country with its own scale ("small_multiples"), the change against the
#: without-policy path ("change"), or "auto" (small multiples when the largest country's
#: balance is more than 20 times the smallest's).
SurplusLayout = Literal["auto", "overlay", "small_multiples", "change"]

#: What a trade-diversion plot shows: import shares or values.
DiversionMeasure = Literal["share", "value"]

#: How a bar chart lies: bars along the x axis (``"horizontal"``) or the y axis.
BarOrientation = Literal["horizontal", "vertical"]

#: Which declaration of a flow a Comtrade loader reads: the importer's (CIF) or the
#: exporter's (FOB).
ReportedFlow = Literal["imports", "exports"]

#: Vintages of the US Census 2024 goods-trade figures ([`tariffsim.us_trade_2024`][]).
TradeVintage = Literal["feb2025", "revised", "both"]

#: Levels of the Harmonized System a product code can be cut to (2, 4 or 6 digits).
HSLevel = Literal["HS2", "HS4", "HS6"]

#: Partners' response to the US tariffs in the Liberation Day replication data: none, or
#: each partner levying on US goods the rate the US levies on it.
Retaliation = Literal["none", "reciprocal"]
#: Which sectors a trade balance counts: the goods sectors (what Census and customs
#: statistics report; the default everywhere) or every sector, services included.
BalanceSectors = Literal["goods", "all"]

CLOSURES: tuple[Closure, ...] = get_args(Closure)
RENTS: tuple[Rents, ...] = get_args(Rents)
REVENUE_USES: tuple[RevenueUse, ...] = get_args(RevenueUse)
YEAR_RULES: tuple[YearRule, ...] = get_args(YearRule)
MODELS: tuple[Model, ...] = get_args(Model)
PE_MODELS: tuple[PEModel, ...] = get_args(PEModel)
TARIFF_MODES: tuple[TariffMode, ...] = get_args(TariffMode)
INSTRUMENT_KINDS: tuple[InstrumentKind, ...] = get_args(InstrumentKind)
UNITS: tuple[Units, ...] = get_args(Units)
ON_ERROR: tuple[OnError, ...] = get_args(OnError)
BALANCE_SIGNS: tuple[BalanceSign, ...] = get_args(BalanceSign)
DIVERSION_MEASURES: tuple[DiversionMeasure, ...] = get_args(DiversionMeasure)
BAR_ORIENTATIONS: tuple[BarOrientation, ...] = get_args(BarOrientation)
REPORTED_FLOWS: tuple[ReportedFlow, ...] = get_args(ReportedFlow)
TRADE_VINTAGES: tuple[TradeVintage, ...] = get_args(TradeVintage)
HS_LEVELS: tuple[HSLevel, ...] = get_args(HSLevel)
COMMITMENT_BASES: tuple[CommitmentBasis, ...] = get_args(CommitmentBasis)
POLICY_FAMILIES: tuple[PolicyFamily, ...] = get_args(PolicyFamily)
RETALIATIONS: tuple[Retaliation, ...] = get_args(Retaliation)
BALANCE_SECTORS: tuple[BalanceSectors, ...] = get_args(BalanceSectors)

def choices(vocabulary: Any) -> tuple[str, ...]:
    """The words of a vocabulary: a ``Literal`` type, or an iterable of words (a tuple,
    the keys of a dict)."""
    words = get_args(vocabulary)
    if words:
        return tuple(str(w) for w in words)
    if isinstance(vocabulary, str) or not isinstance(vocabulary, Iterable):
        raise TypeError(f"choices: expected a Literal type or an iterable of words, got "
                        f"{vocabulary!r}")
    return tuple(str(w) for w in vocabulary)


def check_option(value: Any, vocabulary: Any, field: str, *,
                 error: type[DataError | ScenarioError | ModelError] = ModelError,
                 hint: str = "") -> str:
    """Return ``value`` if it is a word of ``vocabulary``, else raise ``error``.

    Parameters
    ----------
    value : object
        What the caller passed.
    vocabulary : Literal type or iterable of str
        The allowed words, e.g. `Closure` (or a tuple such as the keys of a registry).
    field : str
        The argument or key the value came in, named at the start of the message
        (``"closure"``, ``"instruments[2].mode"``).
    error : DataError, ScenarioError or ModelError (or a subclass)
        The error to raise: [`ModelError`][tariffsim.errors.ModelError] (default) for model
        settings, [`ScenarioError`][tariffsim.errors.ScenarioError] for instrument fields,
        [`DataError`][tariffsim.errors.DataError] for data arguments. It is built as
        ``error(message, field=field)``.
    hint : str
        A sentence appended to the message (where else to look, another accepted form).

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    TariffSimError
        ``"<field>: got <value> (did you mean '<word>'?); choose one of [...]."``; the
        suggestion is left out when no word is close.
    """
    words = choices(vocabulary)
    if isinstance(value, str) and value in words:
        return value
    close = suggest(value, words) if isinstance(value, str) else ""
    more = f" {hint}" if hint else ""
    raise error(f"{field}: got {value!r}{close}; choose one of {list(words)}.{more}",
                field=field)
