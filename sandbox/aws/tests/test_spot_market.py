"""The Spot market model: determinism, price bounds, allocation rules, capacity."""

from __future__ import annotations

import unittest

from spotcheck_moto.spot_market import (
    MAX_DISCOUNT,
    MIN_DISCOUNT,
    PRICE_STEP_SECONDS,
    RECLAIM_TUTORIAL_SECONDS,
    Candidate,
    SpotMarket,
    load_on_demand_prices,
)

ZONES = {"r-1": {"r-1a": {"c5.large", "m5.large", "c5.24xlarge"}, "r-1b": {"c5.large", "m5.large"}}}
OD = {"r-1": {"c5.large": 0.085, "m5.large": 0.096, "c5.24xlarge": 4.08}}


class Clock:
    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


class Jobs:
    """Stands in for scheduler.after: records the jobs, runs them when the test says."""

    def __init__(self) -> None:
        self.jobs: list[tuple[float, object, str]] = []

    def __call__(self, tutorial_seconds: float, job: object, name: str) -> None:
        self.jobs.append((tutorial_seconds, job, name))

    def run_all(self) -> None:
        jobs, self.jobs = self.jobs, []
        for _, job, _ in jobs:
            job()  # type: ignore[operator]


def market(seed: int = 1, clock: Clock | None = None, jobs: Jobs | None = None) -> SpotMarket:
    return SpotMarket(seed, OD, ZONES, fallback_region="r-1", now=clock or Clock(), schedule=jobs or Jobs())


class PricesTest(unittest.TestCase):
    def test_same_seed_same_prices_other_seed_other_prices(self) -> None:
        a, b, c = market(1), market(1), market(2)
        pools = list(a.pools("r-1"))
        self.assertEqual(len(pools), 5)
        self.assertEqual([a.spot_price("r-1", t, z) for t, z in pools], [b.spot_price("r-1", t, z) for t, z in pools])
        self.assertNotEqual([a.spot_price("r-1", t, z) for t, z in pools], [c.spot_price("r-1", t, z) for t, z in pools])

    def test_spot_price_is_55_to_80_percent_below_on_demand_within_drift(self) -> None:
        m = market()
        for seed in range(1, 30):
            m.seed = seed
            for t, z in m.pools("r-1"):
                ratio = m.spot_price("r-1", t, z) / OD["r-1"][t]
                self.assertGreaterEqual(ratio, (1 - MAX_DISCOUNT) * 0.97 - 1e-6)
                self.assertLessEqual(ratio, (1 - MIN_DISCOUNT) * 1.03 + 1e-6)

    def test_price_is_stable_within_a_step_and_drifts_across_steps(self) -> None:
        clock = Clock(PRICE_STEP_SECONDS * 1000.0)
        m = market(clock=clock)
        first = m.spot_price("r-1", "c5.large", "r-1a")
        clock.t += PRICE_STEP_SECONDS - 1
        self.assertEqual(m.spot_price("r-1", "c5.large", "r-1a"), first)
        changes = 0
        for _ in range(10):
            clock.t += PRICE_STEP_SECONDS
            changes += m.spot_price("r-1", "c5.large", "r-1a") != first
        self.assertGreater(changes, 0)

    def test_unknown_pool_has_no_price(self) -> None:
        m = market()
        self.assertIsNone(m.spot_price("r-1", "c5.24xlarge", "r-1b"))  # not offered in that zone
        self.assertIsNone(m.spot_price("r-1", "x9.huge", "r-1a"))

    def test_history_includes_the_price_in_effect_at_start_newest_first(self) -> None:
        clock = Clock(PRICE_STEP_SECONDS * 1000.0 + 100)
        m = market(clock=clock)
        start = clock.t - 1  # inside the current step
        rows = m.history("r-1", start, None, {"c5.large"}, {"r-1a"})
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][2], PRICE_STEP_SECONDS * 1000.0)  # the change before start
        day = m.history("r-1", None, None, {"c5.large"}, {"r-1a"})
        self.assertEqual(len(day), 5)  # 24 h of 6-hour steps plus the one in effect at the start
        self.assertEqual([r[2] for r in day], sorted((r[2] for r in day), reverse=True))


class AllocationTest(unittest.TestCase):
    def test_price_capacity_optimized_takes_the_cheapest_pool_among_the_deepest(self) -> None:
        m = market()
        m.set_capacity("r-1", "c5.large", "r-1a", 20)
        m.set_capacity("r-1", "m5.large", "r-1a", 2)  # cheapest per the rule below, but shallow
        m.set_capacity("r-1", "c5.large", "r-1b", 12)
        m.set_capacity("r-1", "m5.large", "r-1b", 11)
        candidates = [Candidate("c5.large", "r-1a"), Candidate("m5.large", "r-1a"), Candidate("c5.large", "r-1b"), Candidate("m5.large", "r-1b")]
        prices = [m.spot_price("r-1", c.instance_type, c.availability_zone) for c in candidates]
        pick = m.choose_spot("r-1", candidates, lambda t, z: 0)
        deep = [i for i in (0, 2, 3)]  # spare >= half of the deepest pool (20)
        self.assertEqual(pick.index, min(deep, key=lambda i: prices[i]))

    def test_capacity_optimized_and_lowest_price(self) -> None:
        m = market()
        m.set_capacity("r-1", "c5.large", "r-1a", 3)
        m.set_capacity("r-1", "m5.large", "r-1a", 9)
        candidates = [Candidate("c5.large", "r-1a"), Candidate("m5.large", "r-1a")]
        self.assertEqual(m.choose_spot("r-1", candidates, lambda t, z: 0, "capacity-optimized").index, 1)
        prices = [m.spot_price("r-1", c.instance_type, c.availability_zone) for c in candidates]
        cheapest = 0 if prices[0] <= prices[1] else 1
        self.assertEqual(m.choose_spot("r-1", candidates, lambda t, z: 0, "lowest-price").index, cheapest)

    def test_full_pools_are_skipped_and_none_when_all_are_full(self) -> None:
        m = market()
        m.set_capacity("r-1", "c5.large", "r-1a", 1)
        m.set_capacity("r-1", "m5.large", "r-1a", 1)
        candidates = [Candidate("c5.large", "r-1a"), Candidate("m5.large", "r-1a")]
        used = {("c5.large", "r-1a"): 1}
        self.assertEqual(m.choose_spot("r-1", candidates, lambda t, z: used.get((t, z), 0)).index, 1)
        used[("m5.large", "r-1a")] = 1
        self.assertIsNone(m.choose_spot("r-1", candidates, lambda t, z: used.get((t, z), 0)))

    def test_reclaimed_pool_has_no_spare_capacity_until_its_recovery_job_runs(self) -> None:
        jobs = Jobs()
        m = market(jobs=jobs)
        self.assertGreater(m.available("r-1", "c5.large", "r-1a", 0), 0)
        m.reclaim("r-1", "c5.large", "r-1a")
        self.assertEqual(m.available("r-1", "c5.large", "r-1a", 0), 0)
        self.assertEqual([(s, n) for s, _, n in jobs.jobs], [(RECLAIM_TUTORIAL_SECONDS, "spot-pool-c5.large-r-1a-recovers")])
        self.assertGreater(m.available("r-1", "c5.large", "r-1b", 0), 0, "only that pool")
        jobs.run_all()
        self.assertGreater(m.available("r-1", "c5.large", "r-1a", 0), 0)

    def test_a_second_reclaim_restarts_the_recovery(self) -> None:
        jobs = Jobs()
        m = market(jobs=jobs)
        m.reclaim("r-1", "c5.large", "r-1a")
        first = jobs.jobs.pop()
        m.reclaim("r-1", "c5.large", "r-1a")
        first[1]()  # type: ignore[operator]
        self.assertTrue(m.reclaimed("r-1", "c5.large", "r-1a"), "the first reclaim's recovery does not end the second")
        jobs.run_all()
        self.assertFalse(m.reclaimed("r-1", "c5.large", "r-1a"))

    def test_on_demand_lowest_price_and_prioritized(self) -> None:
        m = market()
        candidates = [Candidate("m5.large", "r-1a", priority=1), Candidate("c5.large", "r-1b", priority=2)]
        self.assertEqual(m.choose_on_demand("r-1", candidates, "lowest-price").index, 1)  # c5 is cheaper
        self.assertEqual(m.choose_on_demand("r-1", candidates, "prioritized").index, 0)

    def test_bigger_sizes_have_less_capacity(self) -> None:
        m = market()
        for seed in range(1, 20):
            m.seed = seed
            self.assertLessEqual(m.capacity("r-1", "c5.24xlarge", "r-1a"), 5)
            self.assertGreaterEqual(m.capacity("r-1", "c5.large", "r-1a"), 2)


class PriceTableTest(unittest.TestCase):
    def test_the_price_table_has_the_tutorials_types(self) -> None:
        prices = load_on_demand_prices()
        for region in ("us-east-1", "eu-west-2"):
            for t in ("c7g.2xlarge", "m7g.2xlarge", "c6g.2xlarge", "r7g.2xlarge"):
                self.assertGreater(prices[region][t], 0)
        self.assertAlmostEqual(prices["us-east-1"]["m5.large"], 0.096)


if __name__ == "__main__":
    unittest.main()
