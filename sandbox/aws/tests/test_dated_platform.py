"""The sandbox answers as AWS did on its date: EKS versions, node AMIs and Cloud9 per platform view."""

from __future__ import annotations

import hashlib
import json
import unittest
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

import spotcheck_moto

from .platform_views import PlatformFile

spotcheck_moto.install()

REGION = "eu-west-2"
ROLE = "arn:aws:iam::123456789012:role/eks"
TODAY = "2026-12-06"
TUTORIAL = "2024-01-29"


class Dated(unittest.TestCase):
    """Each test runs in a fresh moto account with the platform view of ``as_of``."""

    as_of: str | None = TODAY

    def setUp(self) -> None:
        self.platform = PlatformFile(self.as_of)
        self.platform.__enter__()
        self.mock = mock_aws()
        self.mock.start()
        self.eks = boto3.client("eks", region_name=REGION)
        self.ssm = boto3.client("ssm", region_name=REGION)
        self.ec2 = boto3.client("ec2", region_name=REGION)
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]

    def tearDown(self) -> None:
        self.mock.stop()
        self.platform.__exit__()

    def create_cluster(self, name: str = "x", version: str | None = None) -> dict[str, Any]:
        args: dict[str, Any] = {"name": name, "roleArn": ROLE, "resourcesVpcConfig": {"subnetIds": [self.subnet]}}
        if version:
            args["version"] = version
        return self.eks.create_cluster(**args)["cluster"]

    def error(self, call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        with self.assertRaises(ClientError) as raised:
            call(*args, **kwargs)
        return raised.exception.response


class CreateClusterToday(Dated):
    def test_refuses_a_version_past_extended_support(self) -> None:
        answer = self.error(self.create_cluster, version="1.29")
        self.assertEqual(answer["Error"]["Code"], "InvalidParameterException")
        self.assertEqual(answer["Error"]["Message"], "unsupported Kubernetes version 1.29")
        self.assertEqual(answer["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(self.eks.list_clusters()["clusters"], [])

    def test_refuses_an_unreleased_version(self) -> None:
        self.assertEqual(self.error(self.create_cluster, version="1.36")["Error"]["Message"], "unsupported Kubernetes version 1.36")

    def test_accepts_a_version_in_extended_support(self) -> None:
        self.assertEqual(self.create_cluster(version="1.32")["version"], "1.32")

    def test_without_a_version_creates_the_default_of_the_day(self) -> None:
        self.assertEqual(self.create_cluster()["version"], "1.35")


class CreateClusterMid2024(Dated):
    as_of = "2024-06-01"

    def test_accepts_the_tutorials_version(self) -> None:
        self.assertEqual(self.create_cluster(version="1.29")["version"], "1.29")

    def test_refuses_a_version_released_later(self) -> None:
        self.assertEqual(self.error(self.create_cluster, version="1.31")["Error"]["Code"], "InvalidParameterException")

    def test_default_is_the_newest_standard_version(self) -> None:
        self.assertEqual(self.create_cluster()["version"], "1.30")


class Undated(Dated):
    as_of = None

    def test_accepts_any_version_without_a_platform_view(self) -> None:
        self.assertEqual(self.create_cluster(version="1.29")["version"], "1.29")
        self.assertEqual(self.eks.describe_cluster_versions()["clusterVersions"], [])


class DescribeClusterVersions(Dated):
    def versions(self, **kwargs: Any) -> list[str]:
        return [v["clusterVersion"] for v in self.eks.describe_cluster_versions(**kwargs)["clusterVersions"]]

    def test_lists_the_versions_offered_on_the_day_newest_first(self) -> None:
        self.assertEqual(self.versions(), ["1.35", "1.34", "1.33", "1.32"])

    def test_shape_of_one_version(self) -> None:
        (v,) = self.eks.describe_cluster_versions(clusterVersions=["1.34"])["clusterVersions"]
        self.assertEqual(v["clusterType"], "eks")
        self.assertEqual(v["versionStatus"], "EXTENDED_SUPPORT")  # standard support ended 2026-12-02
        self.assertEqual(v["status"], "EXTENDED_SUPPORT")
        self.assertIs(v["defaultVersion"], False)
        self.assertRegex(v["defaultPlatformVersion"], r"^eks\.\d+$")
        self.assertEqual(v["releaseDate"].date().isoformat(), "2025-10-06")
        self.assertEqual(v["endOfStandardSupportDate"].date().isoformat(), "2026-12-02")
        self.assertEqual(v["endOfExtendedSupportDate"].date().isoformat(), "2027-12-02")

    def test_unsupported_versions_only_with_include_all(self) -> None:
        self.assertEqual(self.versions(includeAll=True), ["1.35", "1.34", "1.33", "1.32", "1.31", "1.30", "1.29", "1.28"])
        self.assertEqual(self.versions(clusterVersions=["1.29"]), [])
        (v,) = self.eks.describe_cluster_versions(clusterVersions=["1.29"], includeAll=True)["clusterVersions"]
        self.assertEqual(v["versionStatus"], "UNSUPPORTED")

    def test_filters(self) -> None:
        self.assertEqual(self.versions(defaultOnly=True), ["1.35"])
        self.assertEqual(self.versions(versionStatus="EXTENDED_SUPPORT"), ["1.34", "1.33", "1.32"])
        self.assertEqual(self.versions(status="standard-support"), ["1.35"])
        self.assertEqual(self.versions(clusterType="eks-local-outposts"), [])

    def test_pages(self) -> None:
        first = self.eks.describe_cluster_versions(maxResults=3)
        self.assertEqual([v["clusterVersion"] for v in first["clusterVersions"]], ["1.35", "1.34", "1.33"])
        second = self.eks.describe_cluster_versions(maxResults=3, nextToken=first["nextToken"])
        self.assertEqual([v["clusterVersion"] for v in second["clusterVersions"]], ["1.32"])
        self.assertNotIn("nextToken", second)
        paginated = [v["clusterVersion"] for p in self.eks.get_paginator("describe_cluster_versions").paginate(PaginationConfig={"PageSize": 1}) for v in p["clusterVersions"]]
        self.assertEqual(paginated, ["1.35", "1.34", "1.33", "1.32"])

    def test_bad_filters_are_invalid_parameters(self) -> None:
        self.assertEqual(self.error(self.eks.describe_cluster_versions, versionStatus="SUPPORTED")["Error"]["Code"], "InvalidParameterException")
        self.assertEqual(self.error(self.eks.describe_cluster_versions, maxResults=101)["Error"]["Code"], "InvalidParameterException")


class DescribeClusterVersionsOnTheTutorialsDate(Dated):
    as_of = TUTORIAL

    def test_the_tutorials_version_is_the_newest_and_the_default(self) -> None:
        answer = self.eks.describe_cluster_versions()["clusterVersions"]
        self.assertEqual(answer[0]["clusterVersion"], "1.29")
        self.assertIs(answer[0]["defaultVersion"], True)
        self.assertEqual(answer[0]["versionStatus"], "STANDARD_SUPPORT")


def legacy_image_id(region: str, version: str, variant: str) -> str:
    """The id formula of spotcheck's AL2 images before dates (must not change)."""
    return "ami-0" + hashlib.sha256(f"{region}/{version}/{variant}".encode()).hexdigest()[:16]


class NodeImagesOnTheTutorialsDate(Dated):
    as_of = TUTORIAL

    def test_al2_129_is_unchanged(self) -> None:
        base = "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended"
        ami = self.ssm.get_parameter(Name=f"{base}/image_id")["Parameter"]["Value"]
        self.assertEqual(ami, legacy_image_id(REGION, "1.29", "amazon-linux-2"))
        self.assertEqual(self.ssm.get_parameter(Name=f"{base}/image_name")["Parameter"]["Value"], "amazon-eks-node-1.29-v20240129")
        self.assertEqual(self.ssm.get_parameter(Name=f"{base}/release_version")["Parameter"]["Value"], "1.29.0-20240129")
        arm = self.ssm.get_parameter(Name="/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id")["Parameter"]["Value"]
        self.assertEqual(arm, legacy_image_id(REGION, "1.29", "amazon-linux-2-arm64"))
        (image,) = self.ec2.describe_images(ImageIds=[arm])["Images"]
        self.assertEqual((image["Architecture"], image["Name"]), ("arm64", "amazon-eks-arm64-node-1.29-v20240129"))

    def test_no_parameter_for_an_unreleased_version_nor_al2023_before_its_launch(self) -> None:
        for path in ("/aws/service/eks/optimized-ami/1.30/amazon-linux-2/recommended/image_id", "/aws/service/eks/optimized-ami/1.29/amazon-linux-2023/x86_64/standard/recommended/image_id"):
            self.assertEqual(self.error(self.ssm.get_parameter, Name=path)["Error"]["Code"], "ParameterNotFound", path)


class NodeImagesToday(Dated):
    def test_no_al2_parameter_for_133_and_later(self) -> None:
        answer = self.error(self.ssm.get_parameter, Name="/aws/service/eks/optimized-ami/1.33/amazon-linux-2/recommended/image_id")
        self.assertEqual(answer["Error"]["Code"], "ParameterNotFound")
        self.ssm.get_parameter(Name="/aws/service/eks/optimized-ami/1.32/amazon-linux-2/recommended/image_id")

    def test_al2023_parameters_and_images(self) -> None:
        base = "/aws/service/eks/optimized-ami/1.35/amazon-linux-2023"
        for arch in ("x86_64", "arm64"):
            ami = self.ssm.get_parameter(Name=f"{base}/{arch}/standard/recommended/image_id")["Parameter"]["Value"]
            name = self.ssm.get_parameter(Name=f"{base}/{arch}/standard/recommended/image_name")["Parameter"]["Value"]
            self.assertEqual(name, f"amazon-eks-node-al2023-{arch}-standard-1.35-v20261206")
            (image,) = self.ec2.describe_images(ImageIds=[ami])["Images"]
            self.assertEqual((image["Architecture"], image["Name"], image["OwnerId"]), (arch, name, "602401143452"))
        paths = [p["Name"] for p in self.ssm.get_parameters_by_path(Path="/aws/service/eks/optimized-ami/1.35/", Recursive=True)["Parameters"]]
        self.assertIn(f"{base}/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.35-v20261206/image_id", paths)
        self.assertTrue(paths)
        self.assertFalse([p for p in paths if "amazon-linux-2/" in p or "amazon-linux-2-" in p], paths)


    def test_al2023_release_of_the_day_by_name(self) -> None:
        # What a pinned Karpenter alias (al2023@v20261206) reads: the day's release, by its name.
        base = "/aws/service/eks/optimized-ami/1.35/amazon-linux-2023"
        for arch in ("x86_64", "arm64"):
            recommended = self.ssm.get_parameter(Name=f"{base}/{arch}/standard/recommended/image_id")["Parameter"]
            pinned = self.ssm.get_parameter(Name=f"{base}/{arch}/standard/amazon-eks-node-al2023-{arch}-standard-1.35-v20261206/image_id")["Parameter"]
            self.assertEqual((pinned["Value"], pinned["DataType"]), (recommended["Value"], "aws:ec2:image"))
        # Another release is not published on the sandbox: ParameterNotFound, as for a release that never was.
        other = f"{base}/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.35-v20261101/image_id"
        self.assertEqual(self.error(self.ssm.get_parameter, Name=other)["Error"]["Code"], "ParameterNotFound")


class Nodegroups(Dated):
    def nodegroup(self, cluster: str, name: str, **kwargs: Any) -> dict[str, Any]:
        return self.eks.create_nodegroup(clusterName=cluster, nodegroupName=name, nodeRole=ROLE, subnets=[self.subnet], **kwargs)["nodegroup"]

    def test_al2023_by_default_from_130(self) -> None:
        self.create_cluster("c", "1.35")
        self.assertEqual(self.nodegroup("c", "a")["amiType"], "AL2023_x86_64_STANDARD")
        self.assertEqual(self.nodegroup("c", "b", instanceTypes=["m7g.large"])["amiType"], "AL2023_ARM_64_STANDARD")

    def test_al2023_node_group_runs_the_days_al2023_release(self) -> None:
        self.create_cluster("c", "1.35")
        self.assertEqual(self.nodegroup("c", "a")["releaseVersion"], "1.35.0-20261206")
        base = "/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended"
        self.assertEqual(self.ssm.get_parameter(Name=f"{base}/release_version")["Parameter"]["Value"], "1.35.0-20261206")

    def test_refuses_al2_on_133_and_later(self) -> None:
        self.create_cluster("c", "1.33")
        answer = self.error(self.nodegroup, "c", "a", amiType="AL2_x86_64")
        self.assertEqual(answer["Error"]["Code"], "InvalidParameterException")
        self.assertEqual(answer["Error"]["Message"], "AMI Type AL2_x86_64 is only supported for kubernetes versions 1.32 or earlier")
        self.assertEqual(self.eks.list_nodegroups(clusterName="c")["nodegroups"], [])

    def test_al2_is_accepted_on_132(self) -> None:
        self.create_cluster("c", "1.32")
        self.assertEqual(self.nodegroup("c", "a", amiType="AL2_x86_64")["amiType"], "AL2_x86_64")


class AddonsOn135(Dated):
    def test_the_tutorials_addons_install_on_a_135_cluster(self) -> None:
        self.create_cluster("c", "1.35")
        for name in ("vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"):
            versions = self.eks.describe_addon_versions(addonName=name, kubernetesVersion="1.35")["addons"][0]["addonVersions"]
            defaults = [v["addonVersion"] for v in versions if v["compatibilities"][0]["defaultVersion"]]
            self.assertEqual(len(defaults), 1, name)
            self.assertEqual(self.eks.create_addon(clusterName="c", addonName=name)["addon"]["addonVersion"], defaults[0])
        self.assertTrue(self.eks.describe_addon(clusterName="c", addonName="kube-proxy")["addon"]["addonVersion"].startswith("v1.35."))


class NodegroupsOnTheTutorialsDate(Dated):
    as_of = TUTORIAL

    def test_al2_by_default_before_130(self) -> None:
        self.create_cluster("c", "1.29")
        nodegroup = self.eks.create_nodegroup(clusterName="c", nodegroupName="a", nodeRole=ROLE, subnets=[self.subnet])["nodegroup"]
        self.assertEqual(nodegroup["amiType"], "AL2_x86_64")
        self.assertEqual(nodegroup["releaseVersion"], "1.29.0-20240129")


class Cloud9Dated(Dated):
    def create(self, cloud9: Any) -> Any:
        return cloud9.create_environment_ec2(name="c9", instanceType="t3.small", imageId="amazonlinux-2023-x86_64", subnetId=self.subnet)


class Cloud9BeforeTheClosure(Cloud9Dated):
    as_of = TUTORIAL

    def test_environment_lifecycle(self) -> None:
        cloud9 = boto3.client("cloud9", region_name=REGION)
        env_id = self.create(cloud9)["environmentId"]
        self.assertRegex(env_id, r"^[a-f0-9]{32}$")
        self.assertEqual(cloud9.list_environments()["environmentIds"], [env_id])
        (env,) = cloud9.describe_environments(environmentIds=[env_id])["environments"]
        self.assertEqual((env["type"], env["lifecycle"]["status"], env["managedCredentialsStatus"]), ("ec2", "CREATED", "ENABLED_ON_CREATE"))
        self.assertTrue(env["arn"].startswith(f"arn:aws:cloud9:{REGION}:123456789012:environment:"))
        cloud9.update_environment(environmentId=env_id, managedCredentialsAction="DISABLE")
        self.assertEqual(cloud9.describe_environments(environmentIds=[env_id])["environments"][0]["managedCredentialsStatus"], "DISABLED_BY_OWNER")
        self.assertEqual(cloud9.describe_environment_status(environmentId=env_id)["status"], "ready")
        cloud9.delete_environment(environmentId=env_id)
        self.assertEqual(cloud9.list_environments()["environmentIds"], [])
        self.assertEqual(self.error(cloud9.update_environment, environmentId=env_id, managedCredentialsAction="DISABLE")["Error"]["Code"], "NotFoundException")

    def test_cloudformation_creates_the_environment(self) -> None:
        cfn = boto3.client("cloudformation", region_name=REGION)
        template = {
            "Resources": {"C9Instance": {"Type": "AWS::Cloud9::EnvironmentEC2", "Properties": {"Name": "EKSKarpenterCloud9", "InstanceType": "t3.small", "ImageId": "amazonlinux-2023-x86_64", "SubnetId": self.subnet}}},
            "Outputs": {"Id": {"Value": {"Ref": "C9Instance"}}, "Arn": {"Value": {"Fn::GetAtt": ["C9Instance", "Arn"]}}},
        }
        cfn.create_stack(StackName="c9", TemplateBody=json.dumps(template))
        stack = cfn.describe_stacks(StackName="c9")["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        cloud9 = boto3.client("cloud9", region_name=REGION)
        self.assertEqual(cloud9.list_environments()["environmentIds"], [outputs["Id"]])
        self.assertTrue(outputs["Arn"].endswith(outputs["Id"]))
        cfn.delete_stack(StackName="c9")
        self.assertEqual(cloud9.list_environments()["environmentIds"], [])


class Cloud9AfterTheClosure(Cloud9Dated):
    def test_a_new_customer_is_refused(self) -> None:
        cloud9 = boto3.client("cloud9", region_name=REGION)
        answer = self.error(self.create, cloud9)
        self.assertEqual(answer["Error"]["Code"], "ForbiddenException")
        self.assertIn("does not have access to the Cloud9 service", answer["Error"]["Message"])
        self.assertEqual(cloud9.list_environments()["environmentIds"], [])


if __name__ == "__main__":
    unittest.main()
