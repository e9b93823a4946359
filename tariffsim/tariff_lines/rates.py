"""Effective US tariff rates from the line engine: by partner, by (partner, sector), by line.

Rates are import-weighted means over HTS10 lines with fixed 2024 weights, the construction
of the trackers of effective US tariff rates (Budget Lab, tradewartracker):

    t_{p,s}(d) = sum_{l in s} m_{p,l} rate_{p,l}(d) / sum_{l in s} m_{p,l}

(docs/model.md#us-tariffs-from-tariff-lines-to-model-sectors); substitution between lines is left to
the models.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ScenarioError, suggest
from ..instruments import ALL, Tariff, to_date
from ..sectors import hs_to_icio
from .data import line_data
from .engine import (
    ROW_CODE,
    Evaluation,
    code_units,
    compile_instruments,
    evaluate,
    line_sectors,
    unknown_code,
)

__all__ = ["effective_rates", "cell_rates", "line_rates", "BY"]

#: Values of ``by`` in [`effective_rates`][tariffsim.tariff_lines.rates.effective_rates].
BY = ("exporter", "sector", "total")
US = "USA"


# ----------------------------------------------------------------------------- inputs
def _scenario(scenario: Any) -> tuple[str, tuple, _dt.date | None, _dt.date | None]:
    """(name, instruments, scenario date, latest start) of a Scenario, name, path or list."""
    from ..resolve import latest_start
    from ..scenario import Scenario

    if isinstance(scenario, (str, Path)):
        from .. import scenarios

        scenario = scenarios.load(scenario)
    if isinstance(scenario, Scenario):
        insts = scenario.instruments
        return scenario.name, insts, scenario.date, latest_start(insts)
    if isinstance(scenario, Iterable) and not isinstance(scenario, (bytes, Mapping)):
        insts = tuple(scenario)
        for k, i in enumerate(insts):
            if not isinstance(i, Tariff):
                raise ScenarioError(f"scenario[{k}]: expected Tariff instruments, got "
                                    f"{type(i).__name__}.", field=f"scenario[{k}]")
        return "instruments", insts, None, latest_start(insts)
    raise ScenarioError(f"scenario: expected a Scenario, a built-in scenario name, a TOML path "
                        f"or a list of Tariff instruments, got {type(scenario).__name__}.",
                        field="scenario")


def _check_importer(importer: Any) -> str:
    if not isinstance(importer, str):
        raise DataError(f"importer: expected an economy code, got {importer!r}.",
                        field="importer")
    if importer != US:
        raise DataError(f"importer: tariffsim has tariff-line data for US imports only "
                        f"(2024 Census imports and duties by partner and HTS10 line), not "
                        f"{importer!r}; use importer='USA', or a baseline's tariffs for other "
                        f"importers.", field="importer")
    return importer


def _dates(date: Any, scen_date: Any, latest: Any) -> list[_dt.date]:
    if date is None:
        d: _dt.date | None = scen_date or latest
        if d is None:
            raise ScenarioError("date: the scenario has no date and no dated instrument; pass "
                                "date='2025-09-01'.", field="date")
        return [d]
    if isinstance(date, (list, tuple, np.ndarray, pd.Index, pd.Series)):
        out = [_one_date(d) for d in date]
        if not out:
            raise ScenarioError("date: empty list of dates.", field="date")
        return out
    return [_one_date(date)]


def _one_date(value: Any) -> _dt.date:
    day = to_date(value.date() if isinstance(value, pd.Timestamp) else value, "date")
    if day is None:
        raise ScenarioError("date: a missing date (None or NaT); give dates such as "
                            "'2025-09-01'.", field="date")
    return day


def _unit_sets(codes: Any, field_: str) -> dict[str, np.ndarray]:
    """Partner name -> unit indices, for codes or a mapping name -> codes; 'ROW' is the rest
    of the world (every partner in the world total that no other group holds)."""
    ld = line_data()
    groups: dict[str, np.ndarray] = {}
    items = codes.items() if isinstance(codes, Mapping) else ((c, c) for c in codes)
    row_name = None
    for name, members in items:
        if not isinstance(name, str):
            raise DataError(f"{field_}: expected economy codes, got {name!r}.", field=field_)
        mem = (members,) if isinstance(members, str) else tuple(members)
        if mem == (ROW_CODE,):
            row_name = name
            continue
        if name in groups:
            raise DataError(f"{field_}: {name!r} is listed twice.", field=field_)
        sel = []
        for code in mem:
            u = None if code in (ALL, ROW_CODE) else code_units(code, ld, members=False)
            if u is None:
                raise DataError(f"{field_}: unknown partner {unknown_code(code, ld)}",
                                field=field_)
            sel.append(u)
        groups[name] = np.unique(np.concatenate(sel))
    if row_name is not None:
        groups[row_name] = _rest(ld, [c for v in (codes.values() if isinstance(codes, Mapping)
                                                  else codes) for c in
                                      ((v,) if isinstance(v, str) else v)])
    return groups


def _rest(ld: Any, codes: Iterable[str]) -> np.ndarray:
    """Units in the world total not covered by ``codes`` (EU27 with its members)."""
    taken = np.zeros(len(ld.units), dtype=bool)
    for c in codes:
        u = None if c in (ALL, ROW_CODE) else code_units(c, ld)
        if u is not None:
            taken[u] = True
    return np.flatnonzero(ld.units.in_world.to_numpy() & ~taken)


def _named_units(insts: Sequence[Any]) -> set[str]:
    named: set[str] = set()
    for i in insts:
        if not isinstance(i, Tariff):
            continue
        for codes in (i.exporter, i.exclude):
            for c in ((codes,) if isinstance(codes, str) else codes or ()):
                if c not in (ALL, ROW_CODE):
                    named.add(c)
    return named


def _row_units(insts: Sequence[Any], groups: dict[str, np.ndarray] | None) -> np.ndarray:
    """The units the exporter code 'ROW' stands for: the caller's 'ROW' group, else every
    partner (in the world total) that no instrument names."""
    if groups is not None and ROW_CODE in groups:
        return groups[ROW_CODE]
    return _rest(line_data(), _named_units(insts))


# ----------------------------------------------------------------------------- keys
def _line_keys(sector_of_line: Any) -> tuple[np.ndarray, list[str]]:
    """Key index of every line of the universe, and the key names."""
    codes = line_data().codes
    if sector_of_line is None or sector_of_line == "total":
        return np.zeros(len(codes), dtype=np.int32), ["total"]
    if isinstance(sector_of_line, str):
        if sector_of_line == "sector":
            names = line_sectors()
        elif sector_of_line == "icio":
            names = hs_to_icio(list(codes)).icio.to_numpy(dtype=str)
        else:
            raise DataError(f"sector_of_line: got {sector_of_line!r}"
                            f"{suggest(sector_of_line, ['sector', 'icio', 'total'])}; give "
                            f"'sector', 'icio', 'total' (or None), a mapping HS prefix -> "
                            f"sector, or a function of HTS10 codes.", field="sector_of_line")
    elif isinstance(sector_of_line, Mapping):
        names = np.full(len(codes), "", dtype=object)
        for n in sorted({len(str(k)) for k in sector_of_line}):
            sub = {str(k).replace(".", ""): v for k, v in sector_of_line.items()
                   if len(str(k)) == n}
            hit = pd.Series(codes).str[:len(next(iter(sub)))].map(sub)
            names = np.where(hit.notna(), hit.to_numpy(dtype=object), names)
        if (names == "").any():
            miss = codes[names == ""][:5].tolist()
            raise DataError(f"sector_of_line: no sector for HTS lines such as {miss}; the "
                            f"mapping must cover every HS chapter with US imports.",
                            field="sector_of_line")
    elif callable(sector_of_line):
        names = np.asarray(sector_of_line(codes.copy()), dtype=object)
        if names.shape != codes.shape or pd.isna(names).any():
            raise DataError("sector_of_line: the function must return one sector name per "
                            "HTS10 code, without missing values.", field="sector_of_line")
    else:
        raise DataError(f"sector_of_line: got {type(sector_of_line).__name__}; give 'sector', "
                        f"'icio', 'total', a mapping or a function.", field="sector_of_line")
    keys, inv = np.unique(np.asarray(names, dtype=str), return_inverse=True)
    return inv.astype(np.int32), list(keys)


# ----------------------------------------------------------------------------- aggregate
def _unit_totals(ev: Evaluation, key: np.ndarray, K: int, cache: dict | None = None
                 ) -> tuple[np.ndarray, ...]:
    """(imports, 2024 duty, duty on the day) by unit and key, USD.

    ``cache``: a dict kept by the caller for evaluations of one schedule (same rows): what
    does not depend on the day is computed once and stored there.
    """
    ld = line_data()
    U = len(ld.units)
    n = ev.n_real
    c = cache if cache is not None else {}
    if "flat" not in c:
        flat = ev.row_unit[:n].astype(np.int64) * K + key[ev.row_line[:n]]
        m = ev.row_m[:n]
        c["flat"], c["m"] = flat, m
        c["W"] = np.bincount(flat, weights=m, minlength=U * K).reshape(U, K)
        c["B"] = np.bincount(flat, weights=m * ev.row_t0[:n], minlength=U * K).reshape(U, K)
        if len(ev.group_units):
            # composition of each chapter over keys (pooled HS10 partners)
            pos = np.flatnonzero(ld.ref_share > 0)
            ch, s, r = ld.chapter[pos], ld.ref_share[pos], ld.ref_rate[pos]
            ck = ch.astype(np.int64) * K + key[pos]
            share = np.bincount(ck, weights=s, minlength=100 * K).reshape(100, K)
            dsh = np.bincount(ck, weights=s * r, minlength=100 * K).reshape(100, K)
            tot = dsh.sum(1, keepdims=True)
            c["share"] = share
            c["dsh"] = np.where(tot > 0, dsh / np.where(tot > 0, tot, 1.0), share)
            pr = slice(n, None)
            g = ev.row_group[pr].astype(np.int64)
            c["gck"] = (g * 100 + ld.chapter[ev.row_line[pr]]) * K + key[ev.row_line[pr]]
            c["pm"] = ev.row_m[pr]
            c["sm"] = np.bincount(c["gck"], weights=c["pm"],
                                  minlength=len(ev.group_units) * 100 * K)
    flat, m = c["flat"], c["m"]
    W, B = c["W"].copy(), c["B"].copy()
    N = np.bincount(flat, weights=m * ev.row_t[:n], minlength=U * K).reshape(U, K)
    G = len(ev.group_units)
    if G:
        share, dsh, gck, pm, sm = c["share"], c["dsh"], c["gck"], c["pm"], c["sm"]
        pr = slice(n, None)
        # added duty per USD by group, chapter and key
        sd = np.bincount(gck, weights=pm * (ev.row_t[pr] - ev.row_t0[pr]),
                         minlength=G * 100 * K)
        added = np.divide(sd, sm, out=np.zeros_like(sd), where=sm > 0).reshape(G, 100, K)
        for gi, members in enumerate(ev.group_units):
            cm, cd = ld.chap_m[members], ld.chap_d[members]
            W[members] = cm @ share
            B[members] = cd @ dsh
            N[members] = B[members] + np.einsum("uc,ck,ck->uk", cm, share, added[gi])
    return W, B, N


def _frame(groups: dict[str, np.ndarray], W, B, N, keys: list[str], by_key: bool,
           basis: dict[str, str]) -> pd.DataFrame:
    rows = []
    for name, units in groups.items():
        w, b, nn = W[units].sum(0), B[units].sum(0), N[units].sum(0)
        if by_key:
            for k, kname in enumerate(keys):
                rows.append((name, kname, w[k], b[k], nn[k], basis[name]))
        else:
            rows.append((name, "", w.sum(), b.sum(), nn.sum(), basis[name]))
    df = pd.DataFrame(rows, columns=["exporter", "sector", "w", "b", "n", "basis"])
    return df


def _basis(groups: dict[str, np.ndarray]) -> dict[str, str]:
    b = line_data().units.basis.to_numpy()
    out = {}
    for name, units in groups.items():
        kinds = set(b[units])
        out[name] = kinds.pop() if len(kinds) == 1 else "mixed" if kinds else "none"
    return out


# ----------------------------------------------------------------------------- public
def effective_rates(scenario: Any, date: Any = None, importer: str = "USA",
                    by: str = "exporter", exporters: Sequence[str] | Mapping | None = None
                    ) -> pd.DataFrame:
    """Import-weighted effective US tariff rates of a scenario on a date, from HTS10 lines.

    Parameters
    ----------
    scenario : Scenario, str, Path or list of Tariff
        A scenario, a built-in scenario name (``"us-tariffs-2025-2026"``), a TOML path or a
        list of Tariff instruments. Only Tariffs that the US levies count.
    date : date, str or list, optional
        The day (or days: a ``date`` column is added). Default: the scenario's ``date``,
        else the day its last instrument starts.
    importer : str
        ``"USA"``: the only importer with tariff-line data.
    by : {"exporter", "sector", "total"}
        One row per exporter; per exporter and model sector (`tariffsim.sectors`,
        cells without 2024 imports left out); or one row for all US imports (``WLD``).
    exporters : list of str or mapping, optional
        Partners to report: ISO3 codes, ``"EU27"`` and ``"ROW"`` (every partner not listed),
        or a mapping name -> codes for aggregates. Default: every partner with 2024 imports,
        the EU as ``EU27`` (its members are not listed apart), which together make up
        all US imports.

    Returns
    -------
    pandas.DataFrame
        ``exporter`` (and ``sector``), ``imports_weight`` (2024 imports for consumption,
        USD million), ``rate_baseline_pct`` (2024 applied rate: duty / imports),
        ``rate_pct`` (in force on the date), ``added_pp`` (their difference), ``basis``
        (``hs10``: the partner's own lines; ``hs2``: lines imputed from its chapter data,
        see `tariffsim.tariff_lines.data`); ``date`` when several dates are given.
        Sorted by ``imports_weight``, largest first.

    Examples
    --------
    >>> import tariffsim as ts
    >>> df = ts.effective_rates("us-tariffs-2025-2026", date="2025-09-01")  # doctest: +SKIP
    >>> df.set_index("exporter").loc["VNM", "rate_pct"]                    # doctest: +SKIP
    """
    _check_importer(importer)
    if by not in BY:
        raise ScenarioError(f"by: got {by!r}{suggest(str(by), BY)}; choose one of {list(BY)}.",
                            field="by")
    name, insts, sdate, latest = _scenario(scenario)
    dates = _dates(date, sdate, latest)
    ld = line_data()
    if exporters is None:
        units = ld.units
        sel = units.in_world.to_numpy()
        groups = {p: np.array([i]) for i, p in enumerate(units.partner) if sel[i]}
    elif by == "total":
        raise ScenarioError("exporters: by='total' reports all US imports; leave exporters out "
                            "or use by='exporter'.", field="exporters")
    else:
        if isinstance(exporters, str):
            exporters = [exporters]
        groups = _unit_sets(exporters, "exporters")
    if by == "total":
        groups = {"WLD": np.flatnonzero(ld.units.in_world.to_numpy())}
    sched = compile_instruments(insts, importer, _row_units(insts, groups if exporters else None))
    key, keys = _line_keys("sector" if by == "sector" else None)
    basis = _basis(groups)
    frames = []
    for d in dates:
        ev = evaluate(sched, d)
        W, B, N = _unit_totals(ev, key, len(keys))
        df = _frame(groups, W, B, N, keys, by == "sector", basis)
        if by == "sector":
            df = df[df.w > 0]
        if len(dates) > 1:
            df.insert(0, "date", d)
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(df.w > 0, 100 * df.b / df.w, 0.0)
        rate = np.where(df.w > 0, 100 * df.n / df.w, 0.0)
    out = pd.DataFrame({"exporter": df.exporter})
    if "date" in df:
        out.insert(0, "date", df["date"])
    if by == "sector":
        out["sector"] = df.sector.to_numpy()
    out["imports_weight"] = df.w.to_numpy() / 1e6
    out["rate_baseline_pct"] = base
    out["rate_pct"] = rate
    out["added_pp"] = rate - base
    out["basis"] = df.basis.to_numpy()
    sort = (["date"] if "date" in out else []) + ["imports_weight"]
    out = out.sort_values(sort, ascending=[True] * (len(sort) - 1) + [False], kind="stable")
    out.attrs["scenario"] = name
    return out.reset_index(drop=True)


def cell_rates(instruments: Sequence[Any], date: Any, importer: str = "USA", *,
               partners: Sequence[str] | Mapping, sectors: Sequence[str] | None = None,
               sector_of_line: Any = "sector") -> pd.DataFrame:
    """Tariff of every (partner, sector) cell of a baseline: the 2024-import-weighted mean
    of the line rates (the function the scenario resolver calls for US rows).

    Parameters
    ----------
    instruments : sequence of instruments
        A scenario's instruments (non-Tariffs and Tariffs of other importers are ignored).
    date : date or str
        The day.
    importer : str
        ``"USA"`` (the only importer with line data).
    partners : list of str or mapping
        The baseline's economies on the exporter side, in baseline order: ISO3 codes,
        ``"EU27"``, ``"ROW"`` (every partner not listed; the exporter code 'ROW' in the
        instruments means the same set) or a mapping name -> codes. The importer itself may
        be listed: its cells get weight 0 and rate 0.
    sectors : list of str, optional
        The baseline's sectors, in order; every partner x sector cell is returned. Default:
        the keys that ``sector_of_line`` produces.
    sector_of_line : "sector", "icio", "total" or None, mapping or callable
        Sector of each HTS10 line: model sectors (`tariffsim.sectors`), ICIO
        industries, one sector ``"total"`` (a one-sector baseline gets the partner's mean),
        a mapping HS prefix -> sector (longest prefix wins) or a function of an array of
        HTS10 codes.

    Returns
    -------
    pandas.DataFrame
        ``partner, sector, imports_weight`` (USD million, 2024), ``rate_baseline`` and
        ``rate`` (fractions: 0.19 = 19%), one row per partner x sector in the order given.
        A cell without 2024 imports gets the partner's all-line rates and weight 0, so no
        rate is missing.
    """
    _check_importer(importer)
    plist = list(partners.keys()) if isinstance(partners, Mapping) else list(partners)
    spec = ({k: v for k, v in partners.items() if k != importer}
            if isinstance(partners, Mapping) else [p for p in plist if p != importer])
    groups = _unit_sets(spec, "partners")
    sched = compile_instruments(tuple(instruments), importer, _row_units(instruments, groups))
    key, keys = _line_keys(sector_of_line)
    if sectors is None:
        sectors = keys
    else:
        sectors = list(sectors)
        extra = sorted(set(keys) - set(sectors))
        if extra:
            raise DataError(f"sectors: the lines map to sector(s) {extra[:5]} that are not in "
                            f"the baseline's sectors {sectors[:8]}; align sector_of_line with "
                            f"the baseline.", field="sectors")
    pos = {k: i for i, k in enumerate(keys)}
    ev = evaluate(sched, date)
    W, B, N = _unit_totals(ev, key, len(keys))
    rows: list[tuple[str, str, float, float, float]] = []
    for p in plist:
        if p == importer:
            rows.extend((p, s, 0.0, 0.0, 0.0) for s in sectors)
            continue
        u = groups[p]
        w, b, nn = W[u].sum(0), B[u].sum(0), N[u].sum(0)
        wt = w.sum()
        fb = (b.sum() / wt, nn.sum() / wt) if wt > 0 else (0.0, 0.0)
        for s in sectors:
            k = pos.get(s)
            if k is None or w[k] <= 0:
                rows.append((p, s, 0.0, fb[0], fb[1]))
            else:
                rows.append((p, s, w[k] / 1e6, b[k] / w[k], nn[k] / w[k]))
    return pd.DataFrame(rows, columns=["partner", "sector", "imports_weight", "rate_baseline",
                                       "rate"])


def line_rates(scenario: Any, date: Any, exporters: Sequence[str] | str,
               importer: str = "USA", products: Sequence[str] | None = None) -> pd.DataFrame:
    """The rate of every HTS10 line of some partners on a date (for inspection and checks).

    Parameters
    ----------
    scenario : Scenario, str, Path or list of Tariff
    date : date or str
    exporters : str or list of str
        ISO3 codes (or ``"EU27"``). For partners with chapter data only, lines are imputed
        (`tariffsim.tariff_lines.data`) and the added duty is their group's.
    products : list of str, optional
        HTS prefixes to keep (all lines otherwise).

    Returns
    -------
    pandas.DataFrame
        ``exporter, hs10, imports_usd`` (2024), ``rate_baseline, rate`` (fractions),
        ``sector`` (model sector).
    """
    _check_importer(importer)
    _, insts, _, _ = _scenario(scenario)
    if isinstance(exporters, str):
        exporters = [exporters]
    groups = _unit_sets(list(exporters), "exporters")
    sched = compile_instruments(insts, importer, _row_units(insts, None))
    ev = evaluate(sched, date)
    ld = line_data()
    sec = line_sectors()
    frames = []
    for p, units in groups.items():
        for u in units:
            if ld.units.basis.iloc[u] == "hs10":
                sel = np.flatnonzero(ev.row_unit[:ev.n_real] == u)
                lines, m = ev.row_line[sel], ev.row_m[sel]
                t0, t = ev.row_t0[sel], ev.row_t[sel]
            else:
                g = next(i for i, mem in enumerate(ev.group_units) if u in mem)
                sel = np.flatnonzero(ev.row_group == g)
                lines = ev.row_line[sel]
                ch = ld.chapter[lines]
                s, r = ld.ref_share[lines], ld.ref_rate[lines]
                M, D = ld.chap_m[u], ld.chap_d[u]
                m = M[ch] * s
                chap_rate = np.bincount(ld.chapter, weights=ld.ref_share * ld.ref_rate,
                                        minlength=100)
                with np.errstate(divide="ignore", invalid="ignore"):
                    uni = np.where(M > 0, D / np.where(M > 0, M, 1), 0.0)
                    t0 = np.where(chap_rate[ch] > 0,
                                  r * uni[ch] / np.where(chap_rate[ch] > 0, chap_rate[ch], 1),
                                  uni[ch])
                t = t0 + (ev.row_t[sel] - ev.row_t0[sel])
                keep = m > 0
                lines, m, t0, t = lines[keep], m[keep], t0[keep], t[keep]
            frames.append(pd.DataFrame({"exporter": p, "hs10": ld.codes[lines],
                                        "imports_usd": m, "rate_baseline": t0, "rate": t,
                                        "sector": sec[lines]}))
    out = pd.concat(frames, ignore_index=True)
    if products is not None:
        pre = tuple(str(c).replace(".", "") for c in products)
        out = out[out.hs10.str.startswith(pre)]
    return out.reset_index(drop=True)
