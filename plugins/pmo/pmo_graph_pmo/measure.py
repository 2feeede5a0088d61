"""How benefits are measured: realisation, the least-squares forecast, status, and how their
figures are rounded (pure functions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from pmo_graph_pmo.enums import BenefitKind, BenefitStatus

EPOCH = date(2000, 1, 1)
#: Decimal places of the figures the tier answers (realisation, forecast, summary).
PLACES = 6
#: Significant digits a double holds reliably (C's DBL_DIG): what PostgreSQL keeps when it
#: casts a double to numeric, and what ``rounded`` reads of one.
DOUBLE_DIGITS = 15
_STEP = Decimal(1).scaleb(-PLACES)
#: Enough digits for any double (up to 1.8e308) to 6 places.
_WIDE = Context(prec=400)


def day_number(day: date) -> int:
    """Days since 2000-01-01: the x axis of forecasts (the database's ``day_number`` agrees)."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class Measurements:
    """What the forecasts need of a benefit's measurements: the sums of least squares (x in days
    since 2000-01-01, y the value) and the latest value."""

    count: int = 0
    sum_x: float = 0.0
    sum_y: float = 0.0
    sum_xy: float = 0.0
    sum_xx: float = 0.0
    latest: float | None = None

    @classmethod
    def of(cls, points: list[tuple[date, float]]) -> Measurements:
        """The sums for (day, value) points in the order they were recorded; the latest value is
        that of the latest day, and of the last recorded on that day."""
        if not points:
            return cls()
        xs = [float(day_number(d)) for d, _ in points]
        ys = [v for _, v in points]
        return cls(
            count=len(points),
            sum_x=sum(xs),
            sum_y=sum(ys),
            sum_xy=sum(x * y for x, y in zip(xs, ys, strict=True)),
            sum_xx=sum(x * x for x in xs),
            latest=max(reversed(points), key=lambda p: p[0])[1],
        )


def realisation(baseline: float, target: float, latest: float | None) -> float | None:
    """(latest - baseline) / (target - baseline): 0 at the baseline, 1 at the target."""
    if latest is None or target == baseline:
        return None
    return (latest - baseline) / (target - baseline)


def rounded(value: float) -> float:
    """``value`` to 6 decimal places as an office rounds by hand: the double read as the decimal
    it stands for (15 significant digits), then half away from zero. So 0.03 / 32 = 0.0009375
    gives 0.000938 and -0.0009375 gives -0.000938, although the double nearest 0.0009375 is a
    hair below it (binary or banker's rounding would give 0.000937). ``rounded_sql`` is the same
    rounding in PostgreSQL, for the compiled path."""
    if not math.isfinite(value):
        return value
    with localcontext(_WIDE):
        figure = Decimal(f"{value:.{DOUBLE_DIGITS}g}").quantize(_STEP, rounding=ROUND_HALF_UP)
    return float(figure) + 0.0  # + 0.0: no negative zero, which the database does not have


def rounded_sql(expression: str) -> str:
    """``rounded`` in PostgreSQL: ``expression`` (a double precision) cast to numeric keeps 15
    significant digits, and ``round(numeric, 6)`` is half away from zero (``round`` of a double
    would be half-even, SQLite's half away from zero on the binary value: neither is used)."""
    return f"round(({expression})::numeric, {PLACES})::float8"


def rounded_sqlite(expression: str) -> str:
    """``rounded_sql`` on SQLite, with the function the core registers there for it."""
    return f"pmo_numeric_round(({expression}), {PLACES})"


def forecast_at(measurements: Measurements, day: date) -> float | None:
    """The least-squares line through the measurements (value against date), read at ``day``;
    None with fewer than two measurements, or when they are all on one day."""
    n = measurements.count
    if n < 2:
        return None
    spread = n * measurements.sum_xx - measurements.sum_x**2
    if abs(spread) < 1e-9:
        return None
    slope = (n * measurements.sum_xy - measurements.sum_x * measurements.sum_y) / spread
    intercept = (measurements.sum_y - slope * measurements.sum_x) / n
    return intercept + slope * day_number(day)


def passes(baseline: float, target: float, value: float) -> bool:
    """Whether ``value`` is beyond ``target`` as seen from ``baseline``."""
    return (value - target) * (target - baseline) > 0


def status(
    kind: BenefitKind,
    baseline: float,
    target: float,
    target_date: date,
    measurements: Measurements,
    as_of: date,
) -> BenefitStatus:
    """A BENEFIT: NOT_STARTED without a measurement, ACHIEVED at a realisation of 1 or more,
    AT_RISK when the forecast falls short of the target or the target date has passed, else
    ON_TRACK. A DISBENEFIT (``target`` is the tolerated limit): AT_RISK when the latest value or
    the forecast passes the limit, else ON_TRACK."""
    forecast = forecast_at(measurements, target_date)
    if kind is BenefitKind.DISBENEFIT:
        beyond = [
            v
            for v in (measurements.latest, forecast)
            if v is not None and passes(baseline, target, v)
        ]
        return BenefitStatus.AT_RISK if beyond else BenefitStatus.ON_TRACK
    if measurements.latest is None:
        return BenefitStatus.NOT_STARTED
    achieved = realisation(baseline, target, measurements.latest)
    if achieved is not None and achieved >= 1 - 1e-9:
        return BenefitStatus.ACHIEVED
    short = forecast is not None and (realisation(baseline, target, forecast) or 0) < 1 - 1e-9
    if as_of > target_date or short:
        return BenefitStatus.AT_RISK
    return BenefitStatus.ON_TRACK
