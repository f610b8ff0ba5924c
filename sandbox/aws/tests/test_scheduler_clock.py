"""moto's deferred work on the sandbox daemon's tutorial clock (scheduler.py, config.py, api.py).

A fake daemon (a tiny http.server) answers GET /v1/clock, takes POST /v1/clock/after and
DELETE /v1/clock/after/<id>, and fires jobs the way the daemon does: POST
<moto>/_spotcheck/scheduler/<id>/fire {"tutorialMs": T} to moto's WSGI app (api.middleware),
served on a free port. Without a control URL the scheduler keeps its local timers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from spotcheck_moto import api, config, scheduler

from .fake_daemon import T0, FakeDaemon
from .served_app import ServedApp



def _not_moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
    return [b"moto's own routes are not under test here"]


class MotoRoutes(ServedApp):
    """moto's server as server.py builds it, minus moto: only the middleware's routes answer."""

    def __init__(self) -> None:
        super().__init__(api.middleware(_not_moto))


def _free_port_url() -> str:
    """A URL nothing listens on (a port that was free a moment ago)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    server.server_close()
    return url


class EnvTest(unittest.TestCase):
    """Sets SPOTCHECK_CONTROL_URL / SPOTCHECK_TIME_SCALE per test and restores them."""

    def set_env(self, **values: str | None) -> None:
        for key, value in values.items():
            name = f"SPOTCHECK_{key}"
            self.addCleanup(self._restore, name, os.environ.get(name))
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    @staticmethod
    def _restore(name: str, value: str | None) -> None:
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def tearDown(self) -> None:
        scheduler.cancel_all()
        config._clock_unreachable = False  # "said once per outage": each test is an outage of its own


class DaemonClockTest(EnvTest):
    def setUp(self) -> None:
        self.daemon = FakeDaemon()
        self.moto = MotoRoutes()
        self.addCleanup(self.daemon.close)
        self.addCleanup(self.moto.close)
        self.set_env(CONTROL_URL=self.daemon.url + "/", TIME_SCALE="20")

    def test_after_registers_the_job_with_the_daemon_instead_of_a_local_timer(self) -> None:
        job = scheduler.after(120.0, lambda: None, "fis-EXP1-a-interrupt")
        self.assertEqual(self.daemon.after, [{"id": job.id, "delayMs": 120000}])
        self.assertTrue(job.id.startswith("fis-EXP1-a-interrupt-"))
        self.assertIsNone(job.timer)
        self.assertEqual(job.control_url, self.daemon.url)
        other = scheduler.after(120.0, lambda: None, "fis-EXP1-a-interrupt")
        self.assertNotEqual(other.id, job.id, "ids are unique even for jobs of the same name")

    def test_a_fired_job_runs_inside_the_request_at_the_fires_instant(self) -> None:
        seen: list[tuple[float, str]] = []
        job = scheduler.after(120.0, lambda: seen.append((config.tutorial_now_ms(), threading.current_thread().name)), "job")
        self.assertEqual(job.due_ms, T0 + 120_000, "after() notes the due instant (a snapshot keeps it)")
        self.daemon.clock_reads = 0  # that read is after()'s; the job's own are counted below
        self.assertEqual(seen, [], "nothing runs before the daemon fires it")
        due = T0 + 120_000
        status, body = self.daemon.fire(self.moto.url, job.id, due)
        self.assertEqual((status, body["ok"]), (200, True))
        self.assertEqual(len(seen), 1, "the answer comes once the job is done")
        self.assertEqual(seen[0][0], due)
        self.assertEqual(self.daemon.clock_reads, 0, "a fired job does not ask the daemon's clock")
        self.assertEqual(scheduler.pending(), [])

    def test_outside_a_fired_job_now_is_the_daemons_clock_asked_each_time(self) -> None:
        self.assertEqual(config.tutorial_now_ms(), T0)
        self.daemon.tutorial_ms = T0 + 42_000
        self.assertEqual(config.tutorial_now_ms(), T0 + 42_000)
        self.assertEqual(self.daemon.clock_reads, 2)

    def test_a_fired_job_publishes_events_at_the_fires_instant(self) -> None:
        from moto import mock_aws

        import spotcheck_moto
        from spotcheck_moto import events

        spotcheck_moto.install()
        with mock_aws():
            region = "eu-west-2"
            sqs, queue = _ec2_events_to_queue(region, {"source": ["aws.ec2"]})
            account = sts_account()

            def warn() -> None:
                events.put_ec2_event(account, region, events.SPOT_INTERRUPTION, {"instance-id": "i-1", "instance-action": "terminate"}, ["arn:aws:ec2:eu-west-2:1:instance/i-1"])

            job = scheduler.after(0.0, warn, "warn")
            due = T0 + 123_456  # the event's time is in whole seconds, as on AWS
            self.assertEqual(self.daemon.fire(self.moto.url, job.id, due)[0], 200)
            message = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
            event = json.loads(message[0]["Body"])
            self.assertEqual(event["detail-type"], events.SPOT_INTERRUPTION)
            self.assertEqual(event["time"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due / 1000)))
            self.assertEqual(event["time"], "2030-03-17T17:48:43Z")

    def test_an_event_outside_a_fired_job_carries_the_daemons_instant(self) -> None:
        from moto import mock_aws

        import boto3
        import spotcheck_moto

        spotcheck_moto.install()
        with mock_aws():
            region = "eu-west-2"
            sqs, queue = _ec2_events_to_queue(region, {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]})
            boto3.client("ec2", region_name=region).run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="c5.large")
            bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
            self.assertEqual(sorted(b["detail"]["state"] for b in bodies), ["pending", "running"])
            self.assertEqual({b["time"] for b in bodies}, {"2030-03-17T17:46:40Z"})  # T0

    def test_cancel_sends_delete_and_a_later_fire_finds_nothing(self) -> None:
        ran: list[bool] = []
        job = scheduler.after(60.0, lambda: ran.append(True), "job")
        scheduler.cancel(job)
        self.assertEqual(self.daemon.deleted, [job.id])
        status, body = self.daemon.fire(self.moto.url, job.id, T0)
        self.assertEqual(status, 404)
        self.assertIn(job.id, body["error"])
        self.assertEqual(ran, [])

    def test_cancel_all_deletes_every_pending_job(self) -> None:
        jobs = [scheduler.after(60.0, lambda: None, f"job{i}") for i in range(3)]
        scheduler.cancel_all()
        self.assertEqual(sorted(self.daemon.deleted), sorted(j.id for j in jobs))

    def test_unknown_or_fired_ids_answer_404(self) -> None:
        self.assertEqual(self.daemon.fire(self.moto.url, "no-such-job", T0)[0], 404)
        job = scheduler.after(1.0, lambda: None, "once")
        self.assertEqual(self.daemon.fire(self.moto.url, job.id, T0)[0], 200)
        self.assertEqual(self.daemon.fire(self.moto.url, job.id, T0)[0], 404, "a job runs once")

    def test_a_bad_fire_body_is_400_and_the_job_stays_pending(self) -> None:
        job = scheduler.after(1.0, lambda: None, "job")
        request = urllib.request.Request(f"{self.moto.url}/_spotcheck/scheduler/{job.id}/fire", data=b"{}", method="POST")
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(ctx.exception.code, 400)
        self.assertIn("tutorialMs", json.load(ctx.exception)["error"])
        self.assertEqual(scheduler.pending(), [job])

    def test_a_failing_job_answers_500_with_the_error(self) -> None:
        def boom() -> None:
            raise RuntimeError("no such instance")

        job = scheduler.after(1.0, boom, "boom")
        with contextlib.redirect_stderr(io.StringIO()) as err:
            status, body = self.daemon.fire(self.moto.url, job.id, T0)
        self.assertEqual(status, 500)
        self.assertIn("no such instance", body["error"])
        self.assertIn("scheduled job boom failed", err.getvalue())

    def test_the_fire_instant_ends_with_the_job(self) -> None:
        job = scheduler.after(1.0, lambda: None, "job")
        self.assertEqual(scheduler.fire(job.id, T0 + 5), True)
        self.daemon.tutorial_ms = T0 + 9
        self.assertEqual(config.tutorial_now_ms(), T0 + 9)


class FisOnTheDaemonClockTest(EnvTest):
    """Step 6's Spot interruption (PT2M) run by the daemon's clock: every time FIS and the event
    bus report is the tutorial instant the daemon fired the step at."""

    def setUp(self) -> None:
        self.daemon = FakeDaemon()
        self.moto = MotoRoutes()
        self.addCleanup(self.daemon.close)
        self.addCleanup(self.moto.close)
        self.set_env(CONTROL_URL=self.daemon.url, TIME_SCALE="20")

    def fire_next(self, at_ms: float) -> None:
        """Fire the oldest job registered and not fired yet, as the daemon does when it is due."""
        job = self.daemon.after.pop(0)
        status, body = self.daemon.fire(self.moto.url, job["id"], at_ms)
        self.assertEqual(status, 200, body)

    def test_interruption_times_are_the_fire_instants(self) -> None:
        from moto import mock_aws

        import boto3
        import spotcheck_moto
        from spotcheck_moto import events
        from spotcheck_moto.fis.models import INITIATING_SECONDS

        spotcheck_moto.install()
        with mock_aws():
            region = "eu-west-2"
            ec2 = boto3.client("ec2", region_name=region)
            fis = boto3.client("fis", region_name=region)
            sqs, queue = _ec2_events_to_queue(region, {"source": ["aws.ec2"]})
            instance = ec2.run_instances(
                ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="c5.large",
                InstanceMarketOptions={"MarketType": "spot"},
                TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "project", "Value": "build-on-aws"}]}],
            )["Instances"][0]["InstanceId"]
            sqs.purge_queue(QueueUrl=queue)  # the launch's own state changes are not under test
            template = fis.create_experiment_template(
                clientToken="t", description="spot", roleArn="arn:aws:iam::123456789012:role/fis",
                stopConditions=[{"source": "none"}],
                targets={"t": {"resourceType": "aws:ec2:spot-instance", "resourceTags": {"project": "build-on-aws"}, "selectionMode": "COUNT(1)"}},
                actions={"a": {"actionId": "aws:ec2:send-spot-instance-interruptions", "parameters": {"durationBeforeInterruption": "PT2M"}, "targets": {"SpotInstances": "t"}}},
            )["experimentTemplate"]["id"]

            experiment = fis.start_experiment(experimentTemplateId=template)["experiment"]
            self.assertEqual(experiment["startTime"].timestamp(), T0 / 1000, "started at the daemon's instant")
            self.assertEqual(self.daemon.after[0]["delayMs"], INITIATING_SECONDS * 1000)

            initiated = T0 + 2_000
            self.fire_next(initiated)  # targets resolved; the action starts: rebalance + warning at once (PT2M)
            self.assertEqual([j["delayMs"] for j in self.daemon.after], [120_000])
            running = fis.get_experiment(id=experiment["id"])["experiment"]
            self.assertEqual(running["state"]["status"], "running")
            self.assertEqual(running["actions"]["a"]["startTime"].timestamp(), initiated / 1000)

            interrupted = initiated + 120_000
            self.daemon.tutorial_ms = interrupted + 7_000  # what a request outside the job would see
            self.fire_next(interrupted)  # the instance is terminated, the pool reclaimed
            self.assertEqual(self.daemon.after[0]["delayMs"], 600_000, "the pool recovers ten tutorial minutes later")

            done = fis.get_experiment(id=experiment["id"])["experiment"]
            self.assertEqual(done["state"]["status"], "completed")
            self.assertEqual(done["actions"]["a"]["endTime"].timestamp(), interrupted / 1000)
            self.assertEqual(done["endTime"].timestamp(), interrupted / 1000)

            bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
            seen = [(b["detail-type"], b["detail"].get("state"), b["time"]) for b in bodies]
            at = lambda ms: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))  # noqa: E731
            self.assertEqual(
                sorted(seen),
                sorted([
                    (events.REBALANCE, None, at(initiated)),
                    (events.SPOT_INTERRUPTION, None, at(initiated)),
                    (events.STATE_CHANGE, "shutting-down", at(interrupted)),
                    (events.STATE_CHANGE, "terminated", at(interrupted)),
                ]),
            )
            self.assertEqual(ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["State"]["Name"], "terminated")
            request = ec2.describe_spot_instance_requests()["SpotInstanceRequests"][0]
            self.assertEqual(request["Status"]["Code"], "instance-terminated-by-experiment")
            self.assertEqual(request["Status"]["UpdateTime"].timestamp(), interrupted // 1000, "closed at the interruption's instant")


class UnreachableDaemonTest(EnvTest):
    def test_after_falls_back_to_a_local_timer_and_says_why(self) -> None:
        self.set_env(CONTROL_URL=_free_port_url(), TIME_SCALE="1000")
        done = threading.Event()
        with contextlib.redirect_stderr(io.StringIO()) as err:
            job = scheduler.after(1.0, done.set, "fis-EXP2-initiate")
        self.assertIn("did not take job fis-EXP2-initiate", err.getvalue())
        self.assertIn("running it on a local timer", err.getvalue())
        self.assertIsNotNone(job.timer)
        self.assertTrue(done.wait(30), "the local timer ran the job")

    def test_now_falls_back_to_wall_time_and_says_so_once(self) -> None:
        self.set_env(CONTROL_URL=_free_port_url())
        with contextlib.redirect_stderr(io.StringIO()) as err:
            before = time.time() * 1000
            now = config.tutorial_now_ms()
            config.tutorial_now_ms()
            after = time.time() * 1000
        self.assertTrue(before <= now <= after)
        self.assertEqual(err.getvalue().count("could not read the sandbox daemon's clock"), 1)


class StandaloneTest(EnvTest):
    """moto on its own (no control URL): today's behaviour."""

    def setUp(self) -> None:
        self.set_env(CONTROL_URL=None, TIME_SCALE="1000")

    def test_after_runs_the_job_on_a_local_timer(self) -> None:
        done = threading.Event()
        job = scheduler.after(2.0, done.set, "job")
        self.assertIsNotNone(job.timer)
        self.assertIsNone(job.control_url)
        self.assertTrue(done.wait(30))

    def test_cancel_stops_the_local_timer(self) -> None:
        ran: list[bool] = []
        job = scheduler.after(3600.0, lambda: ran.append(True), "job")
        scheduler.cancel(job)
        assert job.timer is not None
        job.timer.join(30)
        self.assertFalse(job.timer.is_alive())
        self.assertEqual(ran, [])

    def test_now_is_wall_time(self) -> None:
        before = time.time() * 1000
        now = config.tutorial_now_ms()
        self.assertTrue(before <= now <= time.time() * 1000)


def _ec2_events_to_queue(region: str, pattern: dict[str, Any]) -> tuple[Any, str]:
    """An SQS queue that an EventBridge rule on the default bus feeds with the events matching ``pattern``."""
    import boto3

    sqs = boto3.client("sqs", region_name=region)
    bus = boto3.client("events", region_name=region)
    queue = sqs.create_queue(QueueName="karpenter")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus.put_rule(Name="ec2", EventPattern=json.dumps(pattern))
    bus.put_targets(Rule="ec2", Targets=[{"Id": "q", "Arn": arn}])
    return sqs, queue


def sts_account() -> str:
    from moto.core import DEFAULT_ACCOUNT_ID

    return DEFAULT_ACCOUNT_ID


if __name__ == "__main__":
    unittest.main()
