"""A deterministic EC2 Spot market: price and spare capacity per Spot pool.

A Spot pool is (instance type, availability zone) in a region. On AWS, each pool has its own
Spot price (well below the On-Demand price, changing slowly) and its own spare capacity, which
can run out (InsufficientInstanceCapacity) and which EC2 reclaims with a two-minute notice. moto
has neither: DescribeSpotPriceHistory answers a flat dummy price and CreateFleet launches the
first override. This module is the model; ``ec2_spot`` wires it into moto.

Everything derives from a seed, so a run can be replayed:

* Spot price of a pool = On-Demand price x (1 - discount), discount fixed per pool between
  55 % and 80 %, times a small drift (+-3 %) that changes every 6 hours of wall-clock time
  (the history DescribeSpotPriceHistory returns).
* Capacity of a pool = how many Spot instances of that type the zone can hold for us:
  between 2 and 20 for sizes up to 4xlarge, fewer for bigger sizes and metal. An instance
  that runs uses one unit; terminating it gives the unit back (the caller counts running
  instances, so there is no counter to drift). A pool that EC2 reclaimed (a Spot
  interruption) has no spare capacity for ``RECLAIM_TUTORIAL_SECONDS`` of tutorial time: its
  recovery is a job on ``scheduler.after``, so it comes in order with the sandbox's other
  timers, on the daemon's clock, however loaded the machine is.

Allocation rules (documented choices, EC2 does not publish its algorithms):

* On-Demand ``lowest-price``: the override with the lowest On-Demand price per unit of
  weighted capacity; ties go to the lower ``Priority``, then to the earlier override.
  ``prioritized``: the lowest ``Priority`` (overrides without one come last), then price.
* Spot ``price-capacity-optimized`` (what Karpenter asks for): among the pools with spare
  capacity, keep those whose spare capacity is at least half of the best pool's (the "pools
  with the most available capacity"), then take the cheapest of them per unit; ties go to the
  earlier override. So the pick is cheap but not always the cheapest pool, as on AWS.
  ``capacity-optimized``: the pool with the most spare capacity, then the cheapest.
  ``lowest-price`` (and anything else): the cheapest pool with spare capacity.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from . import scheduler

PRICE_STEP_SECONDS = 6 * 3600  # the drift changes at these wall-clock boundaries (UTC)
RECLAIM_TUTORIAL_SECONDS = 10 * 60  # a reclaimed pool has no spare capacity for this long
MIN_DISCOUNT = 0.55
MAX_DISCOUNT = 0.80
DRIFT = 0.03

# The project's shipped table (fixtures/prices/, beside the suite's other data: the suite names it as its source).
DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "fixtures", "prices", "ec2-on-demand-prices.json")


def _unit(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for the given parts (same on every run)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest[:13], 16) / float(16**13)


def _size_factor(instance_type: str) -> float:
    size = instance_type.split(".", 1)[-1]
    if "metal" in size:
        return 0.2
    if size.endswith("xlarge") and size[:-6].isdigit():
        n = int(size[:-6])
        if n >= 24:
            return 0.25
        if n >= 8:
            return 0.5
        if n >= 4:
            return 0.75
    return 1.0


def load_on_demand_prices(path: str = DATA_FILE) -> dict[str, dict[str, float]]:
    """On-Demand Linux prices per region from fixtures/prices (region -> type -> USD/h)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return {region: dict(entry["prices"]) for region, entry in data["regions"].items()}


@dataclass(frozen=True)
class Candidate:
    """One launch option of a fleet request (an override) as the market sees it."""

    instance_type: str
    availability_zone: str
    weight: float = 1.0
    priority: float | None = None


@dataclass(frozen=True)
class Pick:
    index: int
    price: float


class SpotMarket:
    """Prices and spare capacity of the Spot pools of every region.

    ``offerings`` maps region -> availability zone -> instance types offered there;
    ``on_demand`` maps region -> instance type -> On-Demand USD/h (a region without its own
    table uses ``fallback_region``'s prices).
    """

    def __init__(
        self,
        seed: int,
        on_demand: dict[str, dict[str, float]],
        offerings: dict[str, dict[str, set[str]]],
        fallback_region: str = "us-east-1",
        now: Callable[[], float] = time.time,
        schedule: Callable[[float, Callable[[], None], str], Any] = scheduler.after,
    ):
        self.seed = seed
        self._on_demand = on_demand
        self._offerings = offerings
        self._fallback_region = fallback_region
        self._now = now  # wall clock: the price steps (DescribeSpotPriceHistory's timestamps)
        self._schedule = schedule  # (tutorial seconds, job, name): the recovery of a reclaimed pool
        self._capacity_overrides: dict[tuple[str, str, str], int] = {}
        # pool -> number of its latest reclaim; a recovery job ends only the reclaim it was
        # scheduled for, so a second interruption of the pool restarts the ten minutes
        self._reclaims: dict[tuple[str, str, str], int] = {}
        self._reclaim_count = 0
        # Held by the EC2 integration across "choose a pool" and "launch in it", so two
        # concurrent fleets cannot both take the last unit of a pool.
        self.lock = threading.RLock()

    # ---- catalogue -------------------------------------------------------------------------

    def zones(self, region: str) -> list[str]:
        return sorted(self._offerings.get(region, {}))

    def offered(self, region: str, instance_type: str, zone: str) -> bool:
        return instance_type in self._offerings.get(region, {}).get(zone, ())

    def on_demand_price(self, region: str, instance_type: str) -> float | None:
        table = self._on_demand.get(region) or self._on_demand.get(self._fallback_region, {})
        return table.get(instance_type)

    def pools(self, region: str) -> Iterable[tuple[str, str]]:
        """(instance type, zone) of every pool with a known price, sorted."""
        for zone in self.zones(region):
            for instance_type in sorted(self._offerings[region][zone]):
                if self.on_demand_price(region, instance_type) is not None:
                    yield instance_type, zone

    # ---- prices ----------------------------------------------------------------------------

    def discount(self, region: str, instance_type: str, zone: str) -> float:
        u = _unit(self.seed, "discount", region, instance_type, zone)
        return MIN_DISCOUNT + (MAX_DISCOUNT - MIN_DISCOUNT) * u

    def price_at_step(self, region: str, instance_type: str, zone: str, step: int) -> float | None:
        od = self.on_demand_price(region, instance_type)
        if od is None or not self.offered(region, instance_type, zone):
            return None
        drift = 1.0 + DRIFT * (2.0 * _unit(self.seed, "drift", region, instance_type, zone, step) - 1.0)
        # at most 45 % x 1.03 of On-Demand: always well below it
        return round(od * (1.0 - self.discount(region, instance_type, zone)) * drift, 6)

    def spot_price(self, region: str, instance_type: str, zone: str, at: float | None = None) -> float | None:
        t = self._now() if at is None else at
        return self.price_at_step(region, instance_type, zone, int(t // PRICE_STEP_SECONDS))

    def history(
        self,
        region: str,
        start: float | None,
        end: float | None,
        instance_types: set[str] | None = None,
        zones: set[str] | None = None,
    ) -> list[tuple[str, str, float, float]]:
        """Price changes as (type, zone, timestamp, price), newest first.

        Like EC2: every change inside [start, end] plus the price in effect at ``start``.
        Without ``start``, the last 24 hours.
        """
        now = self._now()
        end = now if end is None or end > now else end
        start = end - 24 * 3600 if start is None else start
        if start > end:
            return []
        first = int(start // PRICE_STEP_SECONDS)
        last = int(end // PRICE_STEP_SECONDS)
        out: list[tuple[str, str, float, float]] = []
        for instance_type, zone in self.pools(region):
            if instance_types and instance_type not in instance_types:
                continue
            if zones and zone not in zones:
                continue
            for step in range(last, first - 1, -1):
                price = self.price_at_step(region, instance_type, zone, step)
                if price is not None:
                    out.append((instance_type, zone, float(step * PRICE_STEP_SECONDS), price))
        out.sort(key=lambda r: (-r[2], r[1], r[0]))
        return out

    # ---- capacity --------------------------------------------------------------------------

    def capacity(self, region: str, instance_type: str, zone: str) -> int:
        key = (region, instance_type, zone)
        if key in self._capacity_overrides:
            return self._capacity_overrides[key]
        if not self.offered(region, instance_type, zone):
            return 0
        base = 2 + int(_unit(self.seed, "capacity", region, instance_type, zone) * 19)  # 2..20
        return max(1, int(math.floor(base * _size_factor(instance_type))))

    def set_capacity(self, region: str, instance_type: str, zone: str, capacity: int | None) -> None:
        """Override a pool's capacity (tests, scripted scenarios); None restores the model's.

        Either way a reclaim in progress ends: the caller sets the pool's state explicitly.
        """
        key = (region, instance_type, zone)
        with self.lock:
            self._reclaims.pop(key, None)
            if capacity is None:
                self._capacity_overrides.pop(key, None)
            else:
                self._capacity_overrides[key] = max(0, int(capacity))

    def reclaim(self, region: str, instance_type: str, zone: str) -> None:
        """EC2 took capacity back from this pool (a Spot interruption): no spare capacity for a while."""
        key = (region, instance_type, zone)
        with self.lock:
            self._reclaim_count += 1
            number = self._reclaim_count
            self._reclaims[key] = number
        # a partial of a method, not a closure: a sandbox snapshot pickles the pending job
        self._schedule(RECLAIM_TUTORIAL_SECONDS, partial(self._recover, key, number), f"spot-pool-{instance_type}-{zone}-recovers")

    def _recover(self, key: tuple[str, str, str], number: int) -> None:
        """The pool's reclaim number ``number`` is over (unless a later reclaim restarted it)."""
        with self.lock:
            if self._reclaims.get(key) == number:
                del self._reclaims[key]

    def reclaimed(self, region: str, instance_type: str, zone: str) -> bool:
        return (region, instance_type, zone) in self._reclaims

    def available(self, region: str, instance_type: str, zone: str, used: int) -> int:
        """Spare capacity of a pool when ``used`` of its units are taken."""
        if self.reclaimed(region, instance_type, zone):
            return 0
        return max(0, self.capacity(region, instance_type, zone) - used)

    # ---- allocation ------------------------------------------------------------------------

    def choose_spot(
        self,
        region: str,
        candidates: list[Candidate],
        used: Callable[[str, str], int],
        strategy: str = "price-capacity-optimized",
    ) -> Pick | None:
        """The override EC2 launches a Spot instance in, or None when no pool has capacity."""
        options: list[tuple[int, float, int]] = []  # (index, price per unit, spare)
        for i, c in enumerate(candidates):
            price = self.spot_price(region, c.instance_type, c.availability_zone)
            if price is None:
                continue
            spare = self.available(region, c.instance_type, c.availability_zone, used(c.instance_type, c.availability_zone))
            if spare <= 0:
                continue
            options.append((i, price / (c.weight or 1.0), spare))
        if not options:
            return None
        if strategy == "capacity-optimized":
            best = min(options, key=lambda o: (-o[2], o[1], o[0]))
        elif strategy in ("price-capacity-optimized", "capacityOptimizedPrioritized", "capacity-optimized-prioritized"):
            most = max(o[2] for o in options)
            tier = [o for o in options if o[2] * 2 >= most]
            best = min(tier, key=lambda o: (o[1], o[0]))
        else:
            best = min(options, key=lambda o: (o[1], o[0]))
        c = candidates[best[0]]
        return Pick(best[0], self.spot_price(region, c.instance_type, c.availability_zone) or 0.0)

    def choose_on_demand(
        self, region: str, candidates: list[Candidate], strategy: str = "lowest-price"
    ) -> Pick | None:
        options: list[tuple[float, float, int]] = []
        for i, c in enumerate(candidates):
            od = self.on_demand_price(region, c.instance_type)
            per_unit = (od / (c.weight or 1.0)) if od is not None else math.inf
            priority = c.priority if c.priority is not None else math.inf
            if strategy == "prioritized":
                options.append((priority, per_unit, i))
            else:
                options.append((per_unit, priority, i))
        if not options:
            return None
        best = min(options)
        c = candidates[best[2]]
        return Pick(best[2], self.on_demand_price(region, c.instance_type) or 0.0)

    # ---- inspection ------------------------------------------------------------------------

    def snapshot(self, region: str, used: Callable[[str, str], int], instance_types: set[str] | None = None) -> list[dict]:
        rows = []
        for instance_type, zone in self.pools(region):
            if instance_types and instance_type not in instance_types:
                continue
            n = used(instance_type, zone)
            rows.append(
                {
                    "instanceType": instance_type,
                    "availabilityZone": zone,
                    "onDemandPrice": self.on_demand_price(region, instance_type),
                    "spotPrice": self.spot_price(region, instance_type, zone),
                    "capacity": self.capacity(region, instance_type, zone),
                    "used": n,
                    "available": self.available(region, instance_type, zone, n),
                    "reclaimed": self.reclaimed(region, instance_type, zone),
                }
            )
        return rows
