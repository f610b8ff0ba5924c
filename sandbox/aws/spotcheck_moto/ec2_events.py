"""EC2 instance state changes published as "EC2 Instance State-change Notification" events.

AWS publishes one event per transition (pending, running, stopping, stopped, shutting-down,
terminated) on the default bus; Karpenter's InstanceStateChange rule routes them to its queue.
moto moves an instance straight to its final state, so each call publishes both transitions,
in order, when it returns (e.g. TerminateInstances: shutting-down, then terminated). The same
patch marks a terminated Spot instance's Spot request closed, as EC2 does, with the status's
``UpdateTime`` the tutorial instant it closed at (moto answers a constant 2015 date otherwise).
"""

from __future__ import annotations

import time
from typing import Any

from moto.ec2.models import EC2Backend
from moto.ec2.models.instances import Instance
from moto.ec2.models.spot_requests import SpotInstanceRequest

from . import config, events

def _publish(instance: Any, *states: str) -> None:
    for state in states:
        events.instance_state_change(instance, state)


def install() -> None:
    """Patches moto; called once, by the package's install()."""
    original_run = EC2Backend.run_instances
    original_start = Instance.start
    original_stop = Instance.stop
    original_terminate = Instance.terminate
    original_status = SpotInstanceRequest.status

    def status(self: Any) -> dict[str, Any]:
        answer = dict(original_status.fget(self))  # type: ignore[union-attr]
        updated = getattr(self, "status_update_time", None)
        if updated is not None:
            answer["UpdateTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(updated))
        return answer

    def run_instances(self: Any, *args: Any, **kwargs: Any) -> Any:
        reservation = original_run(self, *args, **kwargs)
        for instance in reservation.instances:
            _publish(instance, "pending", "running")
        return reservation

    def start(self: Any) -> Any:
        previous = original_start(self)
        if previous.name != "running":
            _publish(self, "pending", "running")
        return previous

    def stop(self: Any) -> Any:
        previous = original_stop(self)
        if previous.name not in ("stopped", "terminated"):
            _publish(self, "stopping", "stopped")
        return previous

    def terminate(self: Any) -> Any:
        previous = original_terminate(self)
        if previous.name != "terminated":
            request = getattr(self, "spot_request", None)
            if request is not None:
                code = getattr(self, "terminated_by", None) or "instance-terminated-by-user"
                request.state = "closed"
                request._status_code = code
                request.status_message = (
                    "Spot Instance terminated due to an experiment."
                    if code == "instance-terminated-by-experiment"
                    else "Spot Instance terminated due to user-initiated termination."
                )
                request.status_update_time = config.tutorial_now()
            _publish(self, "shutting-down", "terminated")
        return previous

    EC2Backend.run_instances = run_instances  # type: ignore[method-assign]
    Instance.start = start  # type: ignore[method-assign]
    Instance.stop = stop  # type: ignore[method-assign]
    Instance.terminate = terminate  # type: ignore[method-assign]
    SpotInstanceRequest.status = property(status)  # type: ignore[method-assign, assignment]
