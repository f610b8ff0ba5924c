"""moto corrections (spotcheck_moto.fixes) that the tutorial or spotcheck's clean-up rely on."""

from __future__ import annotations

import unittest

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

import spotcheck_moto

spotcheck_moto.install()


@mock_aws
class InstanceProfileTagsTest(unittest.TestCase):
    def test_list_instance_profile_tags(self) -> None:
        iam = boto3.client("iam", region_name="eu-west-2")
        iam.create_instance_profile(InstanceProfileName="spot-and-karpenter_123", Tags=[{"Key": "karpenter.sh/managed-by", "Value": "spot-and-karpenter"}])
        iam.tag_instance_profile(InstanceProfileName="spot-and-karpenter_123", Tags=[{"Key": "extra", "Value": "1"}])
        tags = iam.list_instance_profile_tags(InstanceProfileName="spot-and-karpenter_123")["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags), [("extra", "1"), ("karpenter.sh/managed-by", "spot-and-karpenter")])

    def test_unknown_profile_is_no_such_entity(self) -> None:
        iam = boto3.client("iam", region_name="eu-west-2")
        with self.assertRaises(ClientError) as raised:
            iam.list_instance_profile_tags(InstanceProfileName="nope")
        self.assertEqual(raised.exception.response["Error"]["Code"], "NoSuchEntity")


if __name__ == "__main__":
    unittest.main()
