"""A sandbox snapshot's AWS side (snapshot.py) across two moto server processes.

One server (server.py, as the daemon starts it) gets the tutorial's kind of state through
boto3 — EC2 VPC, subnet, security group, launch template, NAT gateway and a Spot instance, IAM
role, instance profile and OIDC provider, an SQS queue with messages, SSM parameters with tags,
an EventBridge rule with a target, an EKS cluster with a node group and an add-on, a KMS key, a
log group, an S3 object, a Lambda function, a Cloud9 environment, a CloudFormation stack, an
FIS template and a running experiment whose interruption is a pending job, a Spot-pool capacity
override — and saves it with ``POST /_spotcheck/snapshot/save``. A second, fresh server loads
it with ``POST /_spotcheck/snapshot/load``; the same AWS calls answer the same ids and values
there, the pending job is registered again on the (fake) daemon's clock with its remaining
delay, and when the daemon fires it the experiment carries on in the second process. A file of
another format or moto version is refused with 409, naming both.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
import zipfile
from collections import defaultdict
from typing import Any

import boto3
import moto
from botocore.config import Config

from spotcheck_moto import snapshot

from .fake_daemon import FAKE_CA, FAKE_ENDPOINT, T0, FakeDaemon

AWS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGION = "eu-west-2"


class MotoServer:
    """``python3 server.py --port 0`` with the environment moto-process.ts gives it."""

    def __init__(self, control_url: str) -> None:
        env = {
            **os.environ,
            "SPOTCHECK_CONTROL_URL": control_url,
            "SPOTCHECK_TIME_SCALE": "20",
            "SPOTCHECK_SPOT_SEED": "7",
            "SPOTCHECK_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }
        env.pop("SPOTCHECK_PLATFORM_FILE", None)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(AWS_DIR, "server.py"), "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("spotcheck-moto ready "):
            self.process.kill()
            raise RuntimeError(f"moto did not start: {line!r} {self.process.stderr.read() if self.process.stderr else ''}")
        self.endpoint = json.loads(line[len("spotcheck-moto ready ") :])["endpoint"]

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            config=Config(retries={"max_attempts": 1}),
        )

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.endpoint + path, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.endpoint + path, timeout=30) as response:
            return json.load(response)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


CFN_TEMPLATE = json.dumps(
    {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "cfn-queue"}},
            "Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/cfn/param", "Type": "String", "Value": "from-cfn"}},
        },
        "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}},
    }
)


def build_state(moto_a: MotoServer, daemon: FakeDaemon) -> dict[str, Any]:
    """The tutorial's kind of AWS state in ``moto_a``; returns the ids to look for later."""
    ec2, iam, sqs, ssm = (moto_a.client(s) for s in ("ec2", "iam", "sqs", "ssm"))
    events, eks, cfn, fis = (moto_a.client(s) for s in ("events", "eks", "cloudformation", "fis"))
    ids: dict[str, Any] = {}
    ids["vpc"] = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ids["subnet"] = ec2.create_subnet(VpcId=ids["vpc"], CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    ids["sg"] = ec2.create_security_group(GroupName="nodes", Description="nodes", VpcId=ids["vpc"])["GroupId"]
    ids["lt"] = ec2.create_launch_template(LaunchTemplateName="karpenter", LaunchTemplateData={"InstanceType": "m5.large", "ImageId": "ami-12345678"})["LaunchTemplate"]["LaunchTemplateId"]
    ids["instance"] = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="c5.large", SubnetId=ids["subnet"],
        InstanceMarketOptions={"MarketType": "spot"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "project", "Value": "build-on-aws"}]}],
    )["Instances"][0]["InstanceId"]
    iam.create_role(RoleName="KarpenterNodeRole", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    iam.create_instance_profile(InstanceProfileName="KarpenterNodeInstanceProfile")
    iam.add_role_to_instance_profile(InstanceProfileName="KarpenterNodeInstanceProfile", RoleName="KarpenterNodeRole")
    ids["role_arn"] = iam.get_role(RoleName="KarpenterNodeRole")["Role"]["Arn"]
    ids["queue"] = sqs.create_queue(QueueName="karpenter-interruptions")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=ids["queue"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for body in ("one", "two"):
        sqs.send_message(QueueUrl=ids["queue"], MessageBody=body)
    ssm.put_parameter(Name="/spotcheck/plain", Value="v1", Type="String")
    ssm.put_parameter(Name="/spotcheck/secret", Value="s3cret", Type="SecureString")
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/spotcheck/plain", Tags=[{"Key": "team", "Value": "spot"}])
    events.put_rule(Name="spot-interruptions", EventPattern=json.dumps({"source": ["aws.ec2"]}))
    events.put_targets(Rule="spot-interruptions", Targets=[{"Id": "queue", "Arn": queue_arn}])
    cluster_role = iam.create_role(RoleName="eks-cluster", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    eks.create_cluster(name="spot", version="1.29", roleArn=cluster_role, resourcesVpcConfig={"subnetIds": [ids["subnet"]]})
    eks.create_nodegroup(clusterName="spot", nodegroupName="ng", nodeRole=ids["role_arn"], subnets=[ids["subnet"]], scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 1}, instanceTypes=["m5.large"])
    eks.create_addon(clusterName="spot", addonName="vpc-cni")
    # what else the tutorial's Terraform and Cloud9 template make: a KMS key, a log group, an OIDC
    # provider, NAT, an S3 object, a Lambda function (KMS keys and Lambda's weak map need help to pickle)
    kms = moto_a.client("kms")
    ids["key"] = kms.create_key(Description="eks secrets")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/eks/spot", TargetKeyId=ids["key"])
    ids["ciphertext"] = kms.encrypt(KeyId="alias/eks/spot", Plaintext=b"secret")["CiphertextBlob"]
    moto_a.client("logs").create_log_group(logGroupName="/aws/eks/spot/cluster")
    ids["oidc"] = iam.create_open_id_connect_provider(Url="https://oidc.eks.eu-west-2.amazonaws.com/id/ABC", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ids["nat"] = ec2.create_nat_gateway(SubnetId=ids["subnet"], AllocationId=eip)["NatGateway"]["NatGatewayId"]
    s3 = moto_a.client("s3")
    s3.create_bucket(Bucket="cloud9-bootstrap", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="cloud9-bootstrap", Key="out/log.txt", Body=b"bootstrap done")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    moto_a.client("lambda").create_function(FunctionName="bootstrap", Runtime="python3.12", Role=ids["role_arn"], Handler="index.handler", Code={"ZipFile": code.getvalue()})
    ids["cloud9"] = moto_a.client("cloud9").create_environment_ec2(name="c9", instanceType="t3.small", imageId="amazonlinux-2023-x86_64", subnetId=ids["subnet"])["environmentId"]
    cfn.create_stack(StackName="tutorial", TemplateBody=CFN_TEMPLATE)
    ids["stack"] = cfn.describe_stacks(StackName="tutorial")["Stacks"][0]["StackId"]
    ids["template"] = fis.create_experiment_template(
        clientToken="t", description="spot", roleArn=ids["role_arn"], stopConditions=[{"source": "none"}],
        targets={"t": {"resourceType": "aws:ec2:spot-instance", "resourceTags": {"project": "build-on-aws"}, "selectionMode": "COUNT(1)"}},
        actions={"a": {"actionId": "aws:ec2:send-spot-instance-interruptions", "parameters": {"durationBeforeInterruption": "PT2M"}, "targets": {"SpotInstances": "t"}}},
    )["experimentTemplate"]["id"]
    ids["experiment"] = fis.start_experiment(experimentTemplateId=ids["template"])["experiment"]["id"]
    # the daemon fires the 2 s initiation: the action runs, its interruption is due 2 minutes later
    initiate = daemon.after.pop(0)
    daemon.tutorial_ms = T0 + 2_000
    status, body = moto_a.post(f"/_spotcheck/scheduler/{initiate['id']}/fire", {"tutorialMs": T0 + 2_000})
    assert status == 200, body
    ids["due"] = T0 + 2_000 + 120_000
    status, body = moto_a.post("/spotcheck-api/spot-market/capacity", {"region": REGION, "instanceType": "m5.xlarge", "availabilityZone": f"{REGION}b", "capacity": 0})
    assert status == 200, body
    sqs.purge_queue(QueueUrl=ids["queue"])  # the launch's own events; the queue keeps two messages of its own
    for body in ("one", "two"):
        sqs.send_message(QueueUrl=ids["queue"], MessageBody=body)
    return ids


class SnapshotAcrossProcessesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = tempfile.mkdtemp(prefix="spotcheck-aws-snapshot-")
        cls.daemon = FakeDaemon()
        cls.path = os.path.join(cls.dir, "snap", "aws-state.pickle")
        a = MotoServer(cls.daemon.url)
        try:
            cls.ids = build_state(a, cls.daemon)
            cls.saved_at = cls.daemon.tutorial_ms = T0 + 30_000
            cls.save_status, cls.save_answer = a.post("/_spotcheck/snapshot/save", {"path": cls.path})
        finally:
            a.stop()
        cls.daemon.after.clear()
        cls.daemon.deleted.clear()
        cls.b = MotoServer(cls.daemon.url)
        # the daemon restores its clock to the snapshot's instant, then asks moto to load
        cls.daemon.tutorial_ms = cls.saved_at
        cls.b.client("ec2").create_vpc(CidrBlock="172.16.0.0/16")  # state of the fresh sandbox, replaced by the load
        cls.load_status, cls.load_answer = cls.b.post("/_spotcheck/snapshot/load", {"path": cls.path})

    @classmethod
    def tearDownClass(cls) -> None:
        cls.b.stop()
        cls.daemon.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_1_save_answers_the_services_and_the_pending_job(self) -> None:
        self.assertEqual(self.save_status, 200, self.save_answer)
        self.assertEqual(self.save_answer["bytes"], os.path.getsize(self.path))
        for service in ("cloud9", "cloudformation", "ec2", "eks", "events", "fis", "iam", "kms", "lambda", "logs", "s3", "sqs", "ssm"):
            self.assertIn(service, self.save_answer["services"])
        jobs = self.save_answer["pendingJobs"]
        self.assertEqual([(j["name"], j["dueTutorialMs"]) for j in jobs], [(f"fis-{self.ids['experiment']}-a-interrupt", self.ids["due"])])
        self.assertEqual(os.listdir(os.path.dirname(self.path)), ["aws-state.pickle"], "no temporary file left")
        with open(self.path, "rb") as f:
            self.assertEqual(json.loads(f.readline()), {"kind": "spotcheck-aws-state", "format": snapshot.AWS_SNAPSHOT_FORMAT, "moto": moto.__version__, "compression": "zlib"})

    def test_2_load_registers_the_pending_job_with_its_remaining_delay(self) -> None:
        self.assertEqual(self.load_status, 200, self.load_answer)
        self.assertEqual(self.load_answer["services"], self.save_answer["services"])
        self.assertEqual(self.load_answer["pendingJobs"], self.save_answer["pendingJobs"])
        job = self.save_answer["pendingJobs"][0]
        self.assertEqual(self.daemon.after, [{"id": job["id"], "delayMs": self.ids["due"] - self.saved_at}])

    def test_3_the_fresh_servers_own_state_is_gone(self) -> None:
        cidrs = {v["CidrBlock"] for v in self.b.client("ec2").describe_vpcs()["Vpcs"]}
        self.assertNotIn("172.16.0.0/16", cidrs)
        self.assertIn("10.0.0.0/16", cidrs)

    def test_4_ec2(self) -> None:
        ec2 = self.b.client("ec2")
        self.assertEqual(ec2.describe_subnets(SubnetIds=[self.ids["subnet"]])["Subnets"][0]["VpcId"], self.ids["vpc"])
        self.assertEqual(ec2.describe_security_groups(GroupIds=[self.ids["sg"]])["SecurityGroups"][0]["GroupName"], "nodes")
        lt = ec2.describe_launch_template_versions(LaunchTemplateId=self.ids["lt"])["LaunchTemplateVersions"][0]
        self.assertEqual(lt["LaunchTemplateData"]["InstanceType"], "m5.large")
        instance = ec2.describe_instances(InstanceIds=[self.ids["instance"]])["Reservations"][0]["Instances"][0]
        self.assertEqual((instance["State"]["Name"], instance["InstanceLifecycle"]), ("running", "spot"))
        # the restored backend keeps working: new ids, new resources in the restored VPC
        new = ec2.create_subnet(VpcId=self.ids["vpc"], CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
        self.assertNotEqual(new, self.ids["subnet"])

    def test_4_iam(self) -> None:
        iam = self.b.client("iam")
        self.assertEqual(iam.get_role(RoleName="KarpenterNodeRole")["Role"]["Arn"], self.ids["role_arn"])
        profile = iam.get_instance_profile(InstanceProfileName="KarpenterNodeInstanceProfile")["InstanceProfile"]
        self.assertEqual([r["RoleName"] for r in profile["Roles"]], ["KarpenterNodeRole"])

    def test_4_sqs_messages_and_a_fresh_lock(self) -> None:
        sqs = self.b.client("sqs")
        url = sqs.get_queue_url(QueueName="karpenter-interruptions")["QueueUrl"]
        # moto builds the URL from the request's host: the second server has another port here
        # (a sandbox restores in place, on the same port)
        self.assertEqual(url.split("/", 3)[3], self.ids["queue"].split("/", 3)[3])
        bodies = sorted(m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"])
        self.assertEqual(bodies, ["one", "two"])
        sqs.send_message(QueueUrl=url, MessageBody="three")  # the queue's recreated lock works

    def test_4_ssm_parameters_and_tags(self) -> None:
        ssm = self.b.client("ssm")
        self.assertEqual(ssm.get_parameter(Name="/spotcheck/plain")["Parameter"]["Value"], "v1")
        self.assertEqual(ssm.get_parameter(Name="/spotcheck/secret", WithDecryption=True)["Parameter"]["Value"], "s3cret")
        self.assertEqual(ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/spotcheck/plain")["TagList"], [{"Key": "team", "Value": "spot"}])
        # the tags' defaultdict (a lambda factory in moto) still makes new entries
        ssm.put_parameter(Name="/spotcheck/new", Value="n", Type="String", Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual(ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/spotcheck/new")["TagList"], [{"Key": "k", "Value": "v"}])

    def test_4_what_else_terraform_and_cloud9_make(self) -> None:
        kms = self.b.client("kms")
        self.assertEqual(kms.describe_key(KeyId="alias/eks/spot")["KeyMetadata"]["KeyId"], self.ids["key"])
        self.assertEqual(kms.decrypt(CiphertextBlob=self.ids["ciphertext"])["Plaintext"], b"secret")
        self.assertEqual([g["logGroupName"] for g in self.b.client("logs").describe_log_groups()["logGroups"]], ["/aws/eks/spot/cluster"])
        self.assertEqual(self.b.client("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=self.ids["oidc"])["ClientIDList"], ["sts.amazonaws.com"])
        self.assertEqual(self.b.client("ec2").describe_nat_gateways(NatGatewayIds=[self.ids["nat"]])["NatGateways"][0]["SubnetId"], self.ids["subnet"])
        s3 = self.b.client("s3")
        self.assertEqual(s3.get_object(Bucket="cloud9-bootstrap", Key="out/log.txt")["Body"].read(), b"bootstrap done")
        s3.put_object(Bucket="cloud9-bootstrap", Key="out/more.txt", Body=b"more")
        self.assertEqual(s3.list_objects_v2(Bucket="cloud9-bootstrap")["KeyCount"], 2)
        self.assertEqual(self.b.client("cloud9").list_environments()["environmentIds"], [self.ids["cloud9"]])  # the extension's own service
        fn = self.b.client("lambda").get_function(FunctionName="bootstrap")["Configuration"]
        self.assertEqual((fn["Handler"], fn["Role"]), ("index.handler", self.ids["role_arn"]))

    def test_4_eventbridge(self) -> None:
        events = self.b.client("events")
        self.assertEqual(json.loads(events.describe_rule(Name="spot-interruptions")["EventPattern"]), {"source": ["aws.ec2"]})
        self.assertEqual([t["Id"] for t in events.list_targets_by_rule(Rule="spot-interruptions")["Targets"]], ["queue"])

    def test_4_eks(self) -> None:
        eks = self.b.client("eks")
        cluster = eks.describe_cluster(name="spot")["cluster"]
        self.assertEqual((cluster["endpoint"], cluster["certificateAuthority"]["data"], cluster["version"]), (FAKE_ENDPOINT, FAKE_CA, "1.29"))
        self.assertEqual(eks.describe_nodegroup(clusterName="spot", nodegroupName="ng")["nodegroup"]["scalingConfig"]["desiredSize"], 1)
        self.assertEqual(eks.describe_addon(clusterName="spot", addonName="vpc-cni")["addon"]["status"], "ACTIVE")

    def test_4_eks_endpoint_moves_when_the_daemon_says_so(self) -> None:
        # a restored cluster whose saved API server port was taken serves on another one
        moved = "https://127.0.0.1:7443"
        status, body = self.b.post("/_spotcheck/eks/cluster-endpoint", {"name": "spot", "endpoint": moved, "region": REGION})
        self.assertEqual((status, body), (200, {"name": "spot", "endpoint": moved, "previousEndpoint": FAKE_ENDPOINT}))
        self.assertEqual(self.b.client("eks").describe_cluster(name="spot")["cluster"]["endpoint"], moved)
        self.assertEqual(self.b.post("/_spotcheck/eks/cluster-endpoint", {"name": "spot", "endpoint": FAKE_ENDPOINT})[0], 200)
        self.assertEqual(self.b.post("/_spotcheck/eks/cluster-endpoint", {"name": "nope", "endpoint": moved})[0], 404)
        self.assertEqual(self.b.post("/_spotcheck/eks/cluster-endpoint", {"name": "spot"})[0], 400)

    def test_4_cloudformation(self) -> None:
        cfn = self.b.client("cloudformation")
        stack = cfn.describe_stacks(StackName="tutorial")["Stacks"][0]
        self.assertEqual((stack["StackId"], stack["StackStatus"]), (self.ids["stack"], "CREATE_COMPLETE"))
        self.assertTrue(stack["Outputs"][0]["OutputValue"].endswith("/cfn-queue"))
        self.assertEqual(self.b.client("ssm").get_parameter(Name="/cfn/param")["Parameter"]["Value"], "from-cfn")

    def test_4_spot_market(self) -> None:
        pools = self.b.get(f"/spotcheck-api/spot-market?region={REGION}&instanceType=m5.xlarge")
        self.assertEqual(pools["seed"], 7)
        by_zone = {p["availabilityZone"]: p for p in pools["pools"]}
        self.assertEqual(by_zone[f"{REGION}b"]["capacity"], 0, "the capacity override survived")

    def test_5_the_restored_experiment_carries_on_when_the_daemon_fires_its_job(self) -> None:
        fis = self.b.client("fis")
        self.assertEqual(fis.get_experiment_template(id=self.ids["template"])["experimentTemplate"]["id"], self.ids["template"])
        experiment = fis.get_experiment(id=self.ids["experiment"])["experiment"]
        self.assertEqual(experiment["state"]["status"], "running")
        self.assertEqual(experiment["startTime"].timestamp(), T0 / 1000)
        job = self.daemon.after.pop(0)
        self.daemon.tutorial_ms = self.ids["due"]
        status, body = self.b.post(f"/_spotcheck/scheduler/{job['id']}/fire", {"tutorialMs": self.ids["due"]})
        self.assertEqual(status, 200, body)
        done = fis.get_experiment(id=self.ids["experiment"])["experiment"]
        self.assertEqual(done["state"]["status"], "completed")
        self.assertEqual(done["endTime"].timestamp(), self.ids["due"] / 1000)
        instance = self.b.client("ec2").describe_instances(InstanceIds=[self.ids["instance"]])["Reservations"][0]["Instances"][0]
        self.assertEqual(instance["State"]["Name"], "terminated")
        self.assertEqual([j["delayMs"] for j in self.daemon.after], [600_000], "the reclaimed pool's recovery is a new job")
        pools = self.b.get(f"/spotcheck-api/spot-market?region={REGION}&instanceType=c5.large")["pools"]
        self.assertTrue(next(p for p in pools if p["availabilityZone"] == f"{REGION}a")["reclaimed"])

    def test_6_another_format_or_moto_is_refused_naming_both(self) -> None:
        with open(self.path, "rb") as f:
            f.readline()
            payload = f.read()
        mine = f"format {snapshot.AWS_SNAPSHOT_FORMAT} (moto {moto.__version__})"
        for fmt, version in ((snapshot.AWS_SNAPSHOT_FORMAT + 1, moto.__version__), (snapshot.AWS_SNAPSHOT_FORMAT, "4.0.0")):
            other = os.path.join(self.dir, f"other-{fmt}-{version}.pickle")
            with open(other, "wb") as f:
                f.write((json.dumps({"kind": "spotcheck-aws-state", "format": fmt, "moto": version, "compression": "zlib"}) + "\n").encode() + payload)
            for action in ("check", "load"):  # the daemon checks first, then loads
                status, body = self.b.post(f"/_spotcheck/snapshot/{action}", {"path": other})
                self.assertEqual(status, 409, body)
                self.assertEqual(body["error"], f"aws snapshot format {fmt} (moto {version}) cannot be loaded by {mine}")
        self.assertEqual(self.b.post("/_spotcheck/snapshot/check", {"path": self.path}), (200, {"ok": True}))
        garbage = os.path.join(self.dir, "garbage.pickle")
        with open(garbage, "wb") as f:
            f.write(b"not a snapshot")
        status, body = self.b.post("/_spotcheck/snapshot/load", {"path": garbage})
        self.assertEqual(status, 400, body)
        self.assertIn("not a spotcheck AWS state", body["error"])
        truncated = os.path.join(self.dir, "truncated.pickle")
        with open(self.path, "rb") as f:
            data = f.read()
        with open(truncated, "wb") as f:
            f.write(data[: len(data) // 2])
        for action in ("check", "load"):
            status, body = self.b.post(f"/_spotcheck/snapshot/{action}", {"path": truncated})
            self.assertEqual(status, 400, body)
            self.assertIn("truncated or damaged", body["error"])
        self.assertEqual(self.b.post("/_spotcheck/snapshot/load", {"path": "relative.pickle"})[0], 400)
        # a refused file changes nothing
        self.assertEqual(self.b.client("iam").get_role(RoleName="KarpenterNodeRole")["Role"]["Arn"], self.ids["role_arn"])

    def test_7_a_restored_state_saves_again_and_a_snapshot_restores_again_in_place(self) -> None:
        # the suite restores one checkpoint many times into one sandbox
        again = os.path.join(self.dir, "again", "aws-state.pickle")
        status, body = self.b.post("/_spotcheck/snapshot/save", {"path": again})
        self.assertEqual(status, 200, body)
        recovery = [j["id"] for j in body["pendingJobs"]]
        self.assertEqual(len(recovery), 1, "after test 5 the pool's recovery is pending")
        self.daemon.after.clear()
        self.daemon.tutorial_ms = self.saved_at
        status, body = self.b.post("/_spotcheck/snapshot/load", {"path": self.path})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.daemon.deleted[-1:], recovery, "the jobs pending before a load are cancelled at the daemon")
        self.assertEqual([j["id"] for j in self.daemon.after], [j["id"] for j in self.save_answer["pendingJobs"]])
        self.assertEqual(self.b.client("fis").get_experiment(id=self.ids["experiment"])["experiment"]["state"]["status"], "running")
        instance = self.b.client("ec2").describe_instances(InstanceIds=[self.ids["instance"]])["Reservations"][0]["Instances"][0]
        self.assertEqual(instance["State"]["Name"], "running")
        status, body = self.b.post("/_spotcheck/snapshot/load", {"path": again})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.b.client("fis").get_experiment(id=self.ids["experiment"])["experiment"]["state"]["status"], "completed")
        self.assertEqual(self.b.client("ssm").get_parameter(Name="/spotcheck/new")["Parameter"]["Value"], "n")


class RestoreJobsTest(unittest.TestCase):
    """scheduler.restore: a kept job waits what remained of its delay, on the clock that runs it."""

    def setUp(self) -> None:
        from spotcheck_moto import scheduler

        self.scheduler = scheduler
        self.daemon = FakeDaemon()
        self.addCleanup(self.daemon.close)
        for name in ("SPOTCHECK_CONTROL_URL", "SPOTCHECK_TIME_SCALE"):
            self.addCleanup(self._restore, name, os.environ.get(name))
        self.addCleanup(scheduler.cancel_all)

    @staticmethod
    def _restore(name: str, value: str | None) -> None:
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def test_on_the_daemons_clock_remaining_is_due_minus_now_and_a_past_due_job_is_due_at_once(self) -> None:
        os.environ["SPOTCHECK_CONTROL_URL"] = self.daemon.url
        Job = self.scheduler.Job
        self.daemon.tutorial_ms = T0 + 50_000
        jobs = [Job("later-1", "later", print, T0 + 170_000), Job("late-2", "late", print, T0 + 40_000)]
        self.scheduler.restore(jobs)
        self.assertEqual(self.daemon.after, [{"id": "later-1", "delayMs": 120_000}, {"id": "late-2", "delayMs": 0}])
        self.assertEqual({j.id for j in self.scheduler.pending()}, {"later-1", "late-2"})
        self.assertTrue(all(j.control_url == self.daemon.url for j in jobs))

    def test_without_a_daemon_a_local_timer_waits_the_remaining_real_time(self) -> None:
        os.environ.pop("SPOTCHECK_CONTROL_URL", None)
        os.environ["SPOTCHECK_TIME_SCALE"] = "1000"
        done = threading.Event()
        job = self.scheduler.Job("soon-1", "soon", done.set, time.time() * 1000 + 50)
        self.scheduler.restore([job])
        self.assertIsNotNone(job.timer)
        self.assertTrue(done.wait(30))

    def test_a_job_pickles_without_its_timer_or_daemon(self) -> None:
        import pickle

        os.environ.pop("SPOTCHECK_CONTROL_URL", None)
        job = self.scheduler.after(3600.0, print, "held")
        back = pickle.loads(pickle.dumps(job))
        self.assertEqual((back.id, back.name, back.due_ms, back.run), (job.id, job.name, job.due_ms, print))
        self.assertEqual((back.timer, back.control_url), (None, None))


class PicklingTest(unittest.TestCase):
    """What plain pickle refuses, in isolation."""

    def test_lambda_factories_are_replaced_by_equivalent_ones(self) -> None:
        import pickle
        import threading as th

        tags: defaultdict[str, defaultdict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        tags["Parameter"]["/p"]["k"] = "v"
        buffer = io.BytesIO()
        snapshot._Pickler(buffer, {}).dump({"tags": tags, "lock": th.RLock(), "cond": th.Condition()})
        back = pickle.loads(buffer.getvalue())
        self.assertEqual(back["tags"]["Parameter"]["/p"], {"k": "v"})
        back["tags"]["Document"]["/d"]["x"] = "y"  # the factory makes nested defaultdicts again
        self.assertTrue(back["lock"].acquire(blocking=False))
        with back["cond"]:
            pass

    def test_a_job_whose_callable_is_a_closure_fails_the_save_naming_the_job(self) -> None:
        from spotcheck_moto import scheduler

        saved = os.environ.pop("SPOTCHECK_CONTROL_URL", None)
        self.addCleanup(lambda: saved is None or os.environ.__setitem__("SPOTCHECK_CONTROL_URL", saved))
        self.addCleanup(scheduler.cancel_all)
        job = scheduler.after(3600.0, lambda: None, "closure")
        directory = tempfile.mkdtemp(prefix="spotcheck-aws-snapshot-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "aws-state.pickle")
        with self.assertRaises(snapshot.SnapshotError) as ctx:
            snapshot.save(path)
        self.assertIn(f"pending job {job.id} (closure)", str(ctx.exception))
        self.assertEqual(os.listdir(directory), [], "nothing written")

    def test_a_factory_making_something_else_is_refused_by_name(self) -> None:
        import pickle

        odd: defaultdict[str, list[int]] = defaultdict(lambda: [0])
        with self.assertRaises(pickle.PicklingError) as ctx:
            snapshot._Pickler(io.BytesIO(), {}).dump(odd)
        self.assertIn("cannot rebuild", str(ctx.exception))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        unittest.main()
