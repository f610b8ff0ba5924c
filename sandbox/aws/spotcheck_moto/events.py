"""EC2's events on the EventBridge default bus.

On AWS, EC2 publishes "EC2 Instance State-change Notification", "EC2 Spot Instance Interruption
Warning" and "EC2 Instance Rebalance Recommendation" to the default event bus of the instance's
account and region; rules route them (Karpenter's rules route them to its SQS queue). We publish
through moto's own events backend (``put_events``) so moto's rule matching and SQS delivery do
the routing, exactly as a rule created with the aws CLI or Terraform expects.

Each event's "time" is the tutorial instant it happened at (``config.tutorial_now_ms``), so
a reader lining up Karpenter's log with the event bus sees one clock.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.events.models import events_backends
from moto.events.utils import EventTemplateParser

from . import config

EC2_SOURCE = "aws.ec2"
STATE_CHANGE = "EC2 Instance State-change Notification"
SPOT_INTERRUPTION = "EC2 Spot Instance Interruption Warning"
REBALANCE = "EC2 Instance Rebalance Recommendation"

# moto's default target template (used when a target has no InputTransformer) drops the
# envelope's "account" field, which AWS delivers and Karpenter's parser reads. Same fields, in
# the order AWS writes them.
_FULL_ENVELOPE_TEMPLATE = (
    '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
    '"account": "<account>", "time": <time>, "region": "<region>", "resources": <resources>, '
    '"detail": <detail>}'
)


def install() -> None:
    EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = _FULL_ENVELOPE_TEMPLATE
    # moto compiles the same eight JSONPath expressions for every event it delivers to every
    # matching target (about 10 ms each); compiled expressions are immutable, so cache them.
    import jsonpath_ng.ext

    if not hasattr(jsonpath_ng.ext.parse, "cache_info"):
        jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)


def instance_arn(account_id: str, region: str, instance_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account_id}:instance/{instance_id}"


def put_ec2_event(
    account_id: str,
    region: str,
    detail_type: str,
    detail: dict[str, Any],
    resources: list[str],
) -> None:
    """Publish one EC2 event on the default bus of ``account_id``/``region``."""
    backend = events_backends[account_id][region]
    backend.put_events(
        [
            {
                "Source": EC2_SOURCE,
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "Resources": resources,
                # The tutorial instant the event happened at (the sandbox's clock, not the
                # wall clock: see config.tutorial_now_ms); moto turns the unix time into the
                # envelope's "time" in AWS's whole-second format, 2026-12-06T09:00:00Z.
                "Time": config.tutorial_now(),
            }
        ]
    )


def instance_state_change(instance: Any, state: str) -> None:
    backend = instance.ec2_backend
    put_ec2_event(
        backend.account_id,
        backend.region_name,
        STATE_CHANGE,
        {"instance-id": instance.id, "state": state},
        [instance_arn(backend.account_id, backend.region_name, instance.id)],
    )
