"""How benefits are measured: realisation, the least-squares forecast, status (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmo_graph_pmo.enums import BenefitKind, BenefitStatus

EPOCH = date(2000, 1, 1)


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
