"""AWS::FIS::ExperimentTemplate in moto's CloudFormation (in process): Ref, GetAtt, update, delete."""

from __future__ import annotations

import json
import unittest

import boto3
from moto import mock_aws

import spotcheck_moto

spotcheck_moto.install()

REGION = "eu-west-2"


def template(selection: str = "COUNT(1)") -> str:
    return json.dumps(
        {
            "Resources": {
                "Tpl": {
                    "Type": "AWS::FIS::ExperimentTemplate",
                    "Properties": {
                        "Description": "d",
                        "RoleArn": "arn:aws:iam::123456789012:role/fis",
                        "StopConditions": [{"Source": "none"}],
                        "Targets": {"T": {"ResourceType": "aws:ec2:spot-instance", "ResourceTags": {"project": "build-on-aws"}, "SelectionMode": selection}},
                        "Actions": {"A": {"ActionId": "aws:ec2:send-spot-instance-interruptions", "Parameters": {"durationBeforeInterruption": "PT2M"}, "Targets": {"SpotInstances": "T"}}},
                        "Tags": {"Name": "x"},
                    },
                }
            },
            "Outputs": {"ById": {"Value": {"Fn::GetAtt": ["Tpl", "Id"]}}, "ByRef": {"Value": {"Ref": "Tpl"}}},
        }
    )


@mock_aws
class CloudFormationTest(unittest.TestCase):
    def test_create_ref_getatt_update_delete(self) -> None:
        cfn = boto3.client("cloudformation", region_name=REGION)
        fis = boto3.client("fis", region_name=REGION)
        cfn.create_stack(StackName="s", TemplateBody=template())
        outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName="s")["Stacks"][0]["Outputs"]}
        self.assertEqual(outputs["ById"], outputs["ByRef"])
        self.assertRegex(outputs["ById"], r"^EXT\w{14}$")
        got = fis.get_experiment_template(id=outputs["ById"])["experimentTemplate"]
        self.assertEqual(got["targets"]["T"]["resourceTags"], {"project": "build-on-aws"})
        self.assertEqual(got["tags"], {"Name": "x"})

        cfn.update_stack(StackName="s", TemplateBody=template("COUNT(2)"))
        updated = fis.get_experiment_template(id=outputs["ById"])["experimentTemplate"]
        self.assertEqual(updated["targets"]["T"]["selectionMode"], "COUNT(2)")

        cfn.delete_stack(StackName="s")
        self.assertEqual(fis.list_experiment_templates()["experimentTemplates"], [])


if __name__ == "__main__":
    unittest.main()
