"""How far a scenario may go: the bounds its inputs are checked against."""

from __future__ import annotations

MAX_SHIFT_DAYS = 3650
#: Most changes one scenario holds: its impact replays them all.
MAX_SCENARIO_CHANGES = 100
#: What an impact is charged (``work_cost``): its changes replayed at most, over everyone's
#: bookings; about 50 points a change.
IMPACT_COST = 50 * MAX_SCENARIO_CHANGES
