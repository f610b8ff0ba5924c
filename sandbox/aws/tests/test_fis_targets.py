"""FIS value formats, template validation and target resolution (against in-process moto)."""

from __future__ import annotations

import random
import unittest

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends

import spotcheck_moto
from spotcheck_moto.fis.models import ValidationException, validate_template
from spotcheck_moto.fis.targets import SelectionMode, TargetError, matches_filters, parse_iso_duration, parse_selection_mode, resolve_instances

spotcheck_moto.install()

REGION = "eu-west-2"
ROLE = "arn:aws:iam::123456789012:role/fis"


def spot_template(selection: str = "COUNT(1)", duration: str = "PT2M", **target_extra: object) -> tuple[dict, dict]:
    target = {"resourceType": "aws:ec2:spot-instance", "resourceTags": {"project": "build-on-aws"}, "selectionMode": selection, **target_extra}
    action = {"actionId": "aws:ec2:send-spot-instance-interruptions", "parameters": {"durationBeforeInterruption": duration}, "targets": {"SpotInstances": "t"}}
    return {"t": target}, {"a": action}


class FormatsTest(unittest.TestCase):
    def test_selection_modes(self) -> None:
        self.assertEqual(parse_selection_mode("ALL"), SelectionMode("ALL"))
        self.assertEqual(parse_selection_mode("COUNT(3)"), SelectionMode("COUNT", 3))
        self.assertEqual(parse_selection_mode("PERCENT(25)"), SelectionMode("PERCENT", 25))
        for bad in ("", "all", "COUNT()", "COUNT(0)", "COUNT(-1)", "PERCENT(0)", "PERCENT(101)", "SOME(2)", "COUNT(1) "):
            if bad.strip() != bad and bad.strip() == "COUNT(1)":
                continue  # surrounding blanks are tolerated
            with self.assertRaises(TargetError, msg=bad):
                parse_selection_mode(bad)

    def test_selection_picks(self) -> None:
        items = list(range(10))
        rng = random.Random(1)
        self.assertEqual(SelectionMode("ALL").pick(items, rng), items)
        self.assertEqual(len(SelectionMode("COUNT", 3).pick(items, rng)), 3)
        self.assertEqual(len(SelectionMode("COUNT", 30).pick(items, rng)), 10)
        self.assertEqual(len(SelectionMode("PERCENT", 25).pick(items, rng)), 3)  # rounded up
        self.assertEqual(SelectionMode("COUNT", 2).pick(items, random.Random("s")), SelectionMode("COUNT", 2).pick(items, random.Random("s")))

    def test_iso_durations(self) -> None:
        self.assertEqual(parse_iso_duration("PT2M"), 120)
        self.assertEqual(parse_iso_duration("PT120S"), 120)
        self.assertEqual(parse_iso_duration("PT1M30S"), 90)
        self.assertEqual(parse_iso_duration("PT1H"), 3600)
        for bad in ("2M", "PT", "P", "PT2X", "", "120"):
            with self.assertRaises(TargetError, msg=bad):
                parse_iso_duration(bad)

    def test_filter_paths(self) -> None:
        view = {"State": {"Name": "running"}, "Placement": {"AvailabilityZone": "eu-west-2a"}, "Tags": [{"Key": "a", "Value": "1"}]}
        self.assertTrue(matches_filters(view, [{"path": "State.Name", "values": ["running", "pending"]}]))
        self.assertFalse(matches_filters(view, [{"path": "State.Name", "values": ["stopped"]}]))
        self.assertTrue(matches_filters(view, [{"path": "Tags.Key", "values": ["a"]}]))
        self.assertFalse(matches_filters(view, [{"path": "State.Name", "values": ["running"]}, {"path": "Placement.AvailabilityZone", "values": ["eu-west-2b"]}]))


class ValidationTest(unittest.TestCase):
    def test_the_tutorials_template_is_valid(self) -> None:
        targets, actions = spot_template(filters=[{"path": "State.Name", "values": ["running"]}])
        validate_template(targets, actions, [{"source": "none"}], ROLE)

    def test_rejections(self) -> None:
        cases = {
            "selection": spot_template(selection="COUNT(x)"),
            "duration format": spot_template(duration="2 minutes"),
            "duration too short": spot_template(duration="PT1M"),
            "duration too long": spot_template(duration="PT16M"),
            "arns and tags": spot_template(resourceArns=["arn:aws:ec2:eu-west-2:123456789012:instance/i-1"]),
            "wrong resource type": ({"t": {"resourceType": "aws:ec2:instance", "resourceTags": {"a": "b"}, "selectionMode": "ALL"}}, spot_template()[1]),
        }
        for name, (targets, actions) in cases.items():
            with self.assertRaises(ValidationException, msg=name):
                validate_template(targets, actions, [{"source": "none"}], ROLE)
        targets, actions = spot_template()
        with self.assertRaises(ValidationException):
            validate_template(targets, {"a": {**actions["a"], "actionId": "aws:ec2:no-such-action"}}, [{"source": "none"}], ROLE)
        with self.assertRaises(ValidationException):
            validate_template(targets, {"a": {**actions["a"], "targets": {"SpotInstances": "missing"}}}, [{"source": "none"}], ROLE)
        with self.assertRaises(ValidationException):
            validate_template(targets, actions, [], ROLE)


@mock_aws
class ResolutionTest(unittest.TestCase):
    def _launch(self, ec2, spot: bool, tags: dict[str, str]) -> str:
        args = {"ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 1, "InstanceType": "c5.large"}
        if spot:
            args["InstanceMarketOptions"] = {"MarketType": "spot"}
        if tags:
            args["TagSpecifications"] = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
        return ec2.run_instances(**args)["Instances"][0]["InstanceId"]

    def test_only_running_tagged_spot_instances_are_targets(self) -> None:
        ec2 = boto3.client("ec2", region_name=REGION)
        tagged = {"project": "build-on-aws"}
        good = self._launch(ec2, True, tagged)
        on_demand = self._launch(ec2, False, tagged)
        untagged = self._launch(ec2, True, {"project": "other"})
        stopped = self._launch(ec2, True, tagged)
        ec2.stop_instances(InstanceIds=[stopped])
        instances = list(ec2_backends[DEFAULT_ACCOUNT_ID][REGION].all_instances())
        target = spot_template(selection="ALL", filters=[{"path": "State.Name", "values": ["running"]}])[0]["t"]
        ids = [i.id for i in resolve_instances(instances, target, random.Random(1))]
        self.assertEqual(ids, [good])
        self.assertNotIn(on_demand, ids)
        self.assertNotIn(untagged, ids)

    def test_arns_select_instances(self) -> None:
        ec2 = boto3.client("ec2", region_name=REGION)
        a = self._launch(ec2, False, {})
        self._launch(ec2, False, {})
        instances = list(ec2_backends[DEFAULT_ACCOUNT_ID][REGION].all_instances())
        target = {"resourceType": "aws:ec2:instance", "resourceArns": [f"arn:aws:ec2:{REGION}:123456789012:instance/{a}"], "selectionMode": "ALL"}
        self.assertEqual([i.id for i in resolve_instances(instances, target, random.Random(1))], [a])


if __name__ == "__main__":
    unittest.main()
