"""EKS for the sandbox: clusters that point at the sandbox's Kubernetes API, add-ons, updates.

On top of moto's EKS backend:

* Hooks to the sandbox daemon (``hooks.post``) when a cluster, node group or add-on is created,
  updated or deleted. ``eks.cluster.created`` is answered with the endpoint and CA of the
  sandbox's Kubernetes API server; they become the cluster's ``endpoint`` and
  ``certificateAuthority.data``, so ``aws eks update-kubeconfig`` writes a kubeconfig for the
  sandbox. A failed create/update hook fails the API call with ServerException (HTTP 500) and
  undoes the change; a failed delete hook is only logged (teardown must not wedge).
* What EKS adds to a cluster that moto leaves out: the cluster security group EKS creates in
  the cluster's VPC (``resourcesVpcConfig.clusterSecurityGroupId``, ``vpcId``) and
  ``accessConfig``.
* Add-ons (Create/Describe/List/Update/Delete, DescribeAddonVersions) with the versions in
  ``data/eks-addon-versions.json``; an add-on is ACTIVE as soon as it is created.
* Tags on node groups and add-ons too (moto tags clusters only).
* DescribeUpdate for the updates UpdateNodegroupConfig, UpdateClusterConfig and UpdateAddon
  return (Terraform waits on it).
* The Kubernetes versions of the sandbox's date (platform.py): CreateCluster refuses a version
  EKS did not offer that day and picks that day's default when none is given;
  DescribeClusterVersions lists them (versions.py); CreateNodegroup picks the AMI type EKS
  picks for the version and refuses AL2 on 1.33 and later.

Hooks are posted on the request thread and outside every lock (moto's EKS backend has none).
"""

from __future__ import annotations

import json
import os
from typing import Any

from moto.core.utils import utcnow
from moto.eks.exceptions import EKSError, InvalidParameterException, ResourceInUseException, ResourceNotFoundException
from moto.eks.models import EKSBackend
from moto.moto_api._internal import mock_random

from .. import hooks
from . import versions
from .. import eks_amis

DATA_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data", "eks-addon-versions.json")


DEFAULT_KUBERNETES_VERSION = "1.31"  # CreateCluster without a version and without a platform view (undated), as before dates
NODEGROUP_AMI_RELEASE_DATE = "20240129"  # plausible EKS AMI release suffix (the tutorial's month)

#: A node group's AL2023 AMI type → the variant path of its EKS-optimized image (eks_amis.VARIANTS).
_AL2023_VARIANTS = {"AL2023_x86_64_STANDARD": "amazon-linux-2023/x86_64/standard", "AL2023_ARM_64_STANDARD": "amazon-linux-2023/arm64/standard"}


def _al2023_image(region: str, version: str, ami_type: str | None) -> str | None:
    """The day's AL2023 image of an AL2023 node group (the one its recommended parameter names), else None."""
    variant = _AL2023_VARIANTS.get(ami_type or "")
    return eks_amis.image_id(region, version, variant) if variant else None


class ServerException(EKSError):
    TYPE = "ServerException"
    STATUS = 500


def _server_error(e: hooks.HookError, **names: Any) -> ServerException:
    return ServerException(
        clusterName=names.get("clusterName"),
        nodegroupName=names.get("nodegroupName"),
        addonName=names.get("addonName"),
        message=f"The sandbox could not complete the request: {e}",
    )


def _not_found(message: str, **names: Any) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        clusterName=names.get("clusterName"),
        nodegroupName=names.get("nodegroupName"),
        fargateProfileName=None,
        addonName=names.get("addonName"),
        message=message,
    )


_addon_data: dict[str, Any] | None = None


def addon_catalog() -> dict[str, Any]:
    global _addon_data
    if _addon_data is None:
        with open(DATA_FILE, encoding="utf-8") as f:
            _addon_data = json.load(f)
    return _addon_data["addons"]


def _minor(version: str | None) -> str:
    parts = (version or "").split(".")
    return ".".join(parts[:2])


def default_addon_version(addon_name: str, kubernetes_version: str) -> str | None:
    for v in addon_catalog().get(addon_name, {}).get("versions", []):
        if _minor(kubernetes_version) in v["defaultFor"]:
            return v["addonVersion"]
    return None


def supported_addon_versions(addon_name: str, kubernetes_version: str) -> list[str]:
    return [
        v["addonVersion"]
        for v in addon_catalog().get(addon_name, {}).get("versions", [])
        if _minor(kubernetes_version) in v["clusterVersions"]
    ]


class Addon:
    def __init__(self, cluster: Any, account_id: str, region: str, name: str, version: str, role_arn: str | None, configuration_values: str | None, tags: dict[str, str] | None, pod_identity_associations: list[Any] | None):
        self.addon_name = name
        self.cluster_name = cluster.name
        self.status = "ACTIVE"
        self.addon_version = version
        self.health = {"issues": []}
        self.addon_arn = f"arn:aws:eks:{region}:{account_id}:addon/{cluster.name}/{name}/{mock_random.uuid4()}"
        self.created_at = utcnow()
        self.modified_at = self.created_at
        self.service_account_role_arn = role_arn
        self.tags = tags or {}
        self.publisher = "eks"
        self.owner = "aws"
        self.configuration_values = configuration_values
        self.pod_identity_associations = [p.get("roleArn", "") if isinstance(p, dict) else str(p) for p in (pod_identity_associations or [])]

    def hook_body(self, account_id: str, region: str) -> dict[str, Any]:
        return {
            "accountId": account_id,
            "region": region,
            "cluster": self.cluster_name,
            "addonName": self.addon_name,
            "addonVersion": self.addon_version,
            "configurationValues": self.configuration_values,
            "serviceAccountRoleArn": self.service_account_role_arn,
        }


class SpotcheckEKSBackend(EKSBackend):
    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.updates: dict[str, dict[str, Any]] = {}

    def _record_update(self, update: dict[str, Any], cluster: str, nodegroup: str | None = None, addon: str | None = None) -> dict[str, Any]:
        stored = dict(update)
        stored["status"] = "Successful"
        self.updates[update["id"]] = {"update": stored, "cluster": cluster, "nodegroup": nodegroup, "addon": addon}
        return update

    # ---- clusters -------------------------------------------------------------------------

    def _ec2(self) -> Any:
        from moto.ec2.models import ec2_backends

        return ec2_backends[self.account_id][self.region_name]

    def _add_cluster_network(self, cluster: Any) -> None:
        """The VPC id and the cluster security group that EKS adds to resourcesVpcConfig."""
        config = dict(cluster.resources_vpc_config or {})
        config.setdefault("subnetIds", [])
        config.setdefault("securityGroupIds", [])
        config.setdefault("endpointPublicAccess", True)
        config.setdefault("endpointPrivateAccess", False)
        config.setdefault("publicAccessCidrs", ["0.0.0.0/0"])
        ec2 = self._ec2()
        vpc_id = None
        for subnet_id in config["subnetIds"]:
            try:
                vpc_id = ec2.get_subnet(subnet_id).vpc_id
                break
            except Exception:  # an unknown subnet: leave the VPC unknown, as moto did
                continue
        if vpc_id:
            config["vpcId"] = vpc_id
            group = ec2.create_security_group(
                name=f"eks-cluster-sg-{cluster.name}-{mock_random.get_random_hex(10)}",
                description="EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
                vpc_id=vpc_id,
                tags={"aws:eks:cluster-name": cluster.name, f"kubernetes.io/cluster/{cluster.name}": "owned", "Name": f"eks-cluster-sg-{cluster.name}"},
            )
            config["clusterSecurityGroupId"] = group.id
        cluster.resources_vpc_config = config

    def create_cluster(self, name: str, role_arn: str, resources_vpc_config: dict[str, Any], version: str | None = None, kubernetes_network_config: dict[str, str] | None = None, logging: dict[str, Any] | None = None, client_request_token: str | None = None, tags: dict[str, str] | None = None, encryption_config: list[dict[str, Any]] | None = None, remote_network_config: dict[str, list[dict[str, list[str]]]] | None = None, access_config: dict[str, Any] | None = None) -> Any:
        # moto defaults to Kubernetes 1.19; EKS creates the default version of the day
        version = versions.check_create_version(name, version) or DEFAULT_KUBERNETES_VERSION
        cluster = super().create_cluster(name, role_arn, resources_vpc_config, version, kubernetes_network_config, logging, client_request_token, tags, encryption_config, remote_network_config)
        cluster.addons = {}
        cluster.access_config = {
            "authenticationMode": (access_config or {}).get("authenticationMode", "API_AND_CONFIG_MAP"),
            "bootstrapClusterCreatorAdminPermissions": (access_config or {}).get("bootstrapClusterCreatorAdminPermissions", True),
        }
        self._add_cluster_network(cluster)
        body = {
            "accountId": self.account_id,
            "region": self.region_name,
            "name": cluster.name,
            "arn": cluster.arn,
            "version": cluster.version,
            "roleArn": cluster.role_arn,
            "resourcesVpcConfig": cluster.resources_vpc_config,
            "tags": cluster.tags,
        }
        try:
            answer = hooks.post("eks.cluster.created", body)
        except hooks.HookError as e:
            self._drop_cluster(cluster)
            raise _server_error(e, clusterName=name) from e
        if hooks.enabled():
            if not isinstance(answer, dict) or not answer.get("endpoint") or not answer.get("certificateAuthorityData"):
                self._drop_cluster(cluster)
                raise _server_error(hooks.HookError("eks.cluster.created", f"answer lacks endpoint/certificateAuthorityData: {answer!r}"), clusterName=name)
            cluster.endpoint = answer["endpoint"]
            cluster.certificate_authority = {"data": answer["certificateAuthorityData"]}
        return cluster

    def _delete_cluster_security_group(self, cluster: Any) -> None:
        group_id = (cluster.resources_vpc_config or {}).get("clusterSecurityGroupId")
        if group_id:
            try:
                self._ec2().delete_security_group(group_id=group_id)
            except Exception:  # already gone or still in use: nothing more EKS would do
                pass

    def _drop_cluster(self, cluster: Any) -> None:
        """Undo a CreateCluster whose hook failed."""
        self.clusters.pop(cluster.name, None)
        self.cluster_count -= 1
        self._delete_cluster_security_group(cluster)

    def delete_cluster(self, name: str) -> Any:
        cluster = super().delete_cluster(name)
        cluster.status = "DELETING"
        self._delete_cluster_security_group(cluster)
        hooks.post_best_effort("eks.cluster.deleted", {"accountId": self.account_id, "region": self.region_name, "name": name})
        return cluster

    def update_cluster_config(self, name: str, resources_vpc_config: dict[str, Any], logging: dict[str, Any] | None = None, client_request_token: str | None = None, kubernetes_network_config: dict[str, str] | None = None, remote_network_config: dict[str, list[dict[str, list[str]]]] | None = None) -> Any:
        cluster = self.clusters.get(name)
        if cluster is not None and resources_vpc_config:
            # keep what EKS added (vpcId, cluster security group) across the update
            merged = dict(cluster.resources_vpc_config or {})
            merged.update(resources_vpc_config)
            resources_vpc_config = merged
        return super().update_cluster_config(name, resources_vpc_config, logging, client_request_token, kubernetes_network_config, remote_network_config)

    def cluster_update(self, name: str, params: list[dict[str, str]]) -> dict[str, Any]:
        update = {"id": str(mock_random.uuid4()), "status": "InProgress", "type": "ConfigUpdate", "params": params, "createdAt": utcnow(), "errors": []}
        return self._record_update(update, name)

    # ---- node groups ----------------------------------------------------------------------

    def create_nodegroup(self, cluster_name: str, node_role: str, nodegroup_name: str, subnets: list[str], scaling_config: dict[str, int] | None = None, disk_size: int | None = None, instance_types: list[str] | None = None, ami_type: str | None = None, remote_access: dict[str, Any] | None = None, labels: dict[str, str] | None = None, taints: list[dict[str, str]] | None = None, tags: dict[str, str] | None = None, client_request_token: str | None = None, launch_template: dict[str, str] | None = None, capacity_type: str | None = None, version: str | None = None, release_version: str | None = None) -> Any:
        if cluster_name in self.clusters:
            ng_version = version or self.clusters[cluster_name].version
            ami_type = versions.nodegroup_ami_type(cluster_name, nodegroup_name, ng_version, ami_type, instance_types, launch_template)
        nodegroup = super().create_nodegroup(cluster_name, node_role, nodegroup_name, subnets, scaling_config, disk_size, instance_types, ami_type, remote_access, labels, taints, tags, client_request_token, launch_template, capacity_type, version, release_version)
        if not remote_access:
            # moto invents SSH access ("eksKeypair") for every node group; EKS reports none unless
            # asked, and Terraform would replace the node group on every apply to remove it.
            nodegroup.remote_access = None
            if isinstance(getattr(nodegroup, "resources", None), dict):
                nodegroup.resources.pop("remoteAccessSecurityGroup", None)
        if version is None:
            nodegroup.version = self.clusters[cluster_name].version
        image = _al2023_image(self.region_name, nodegroup.version, nodegroup.ami_type)
        if release_version is None:
            # An AL2023 node group gets the day's EKS-optimized AL2023 release (eks_amis: the image the
            # recommended SSM parameter names); AL2 keeps the tutorial month's release.
            release = eks_amis.release_day().replace("-", "") if image else NODEGROUP_AMI_RELEASE_DATE
            nodegroup.release_version = f"{nodegroup.version}.0-{release}"
        body = {
            "accountId": self.account_id,
            "region": self.region_name,
            "cluster": cluster_name,
            "nodegroupName": nodegroup_name,
            "nodeRole": nodegroup.node_role,
            "subnets": nodegroup.subnets,
            "instanceTypes": nodegroup.instance_types,
            "scalingConfig": nodegroup.scaling_config,
            "labels": nodegroup.labels,
            "taints": nodegroup.taints,
            "capacityType": nodegroup.capacity_type,
            "amiType": nodegroup.ami_type,
            "diskSize": nodegroup.disk_size,
            "tags": nodegroup.tags,
            "launchTemplate": nodegroup.launch_template,
            "releaseVersion": nodegroup.release_version,
        }
        if image:
            # spotcheck's own field: the AMI the node group's instances launch from (AL2023 node groups).
            body["imageId"] = image
        try:
            hooks.post("eks.nodegroup.created", body)
        except hooks.HookError as e:
            cluster = self.clusters[cluster_name]
            cluster.nodegroups.pop(nodegroup_name, None)
            cluster.nodegroup_count -= 1
            raise _server_error(e, clusterName=cluster_name, nodegroupName=nodegroup_name) from e
        return nodegroup

    def update_nodegroup_config(self, cluster_name: str, nodegroup_name: str, labels: dict[str, Any] | None = None, taints: dict[str, Any] | None = None, scaling_config: dict[str, int] | None = None, update_config: dict[str, Any] | None = None, node_repair_config: dict[str, Any] | None = None, client_request_token: str | None = None) -> dict[str, Any]:
        update = super().update_nodegroup_config(cluster_name, nodegroup_name, labels, taints, scaling_config, update_config, node_repair_config, client_request_token)
        update["status"] = "InProgress"
        self._record_update(update, cluster_name, nodegroup=nodegroup_name)
        nodegroup = self.clusters[cluster_name].nodegroups[nodegroup_name]
        body = {
            "accountId": self.account_id,
            "region": self.region_name,
            "cluster": cluster_name,
            "nodegroupName": nodegroup_name,
            "scalingConfig": nodegroup.scaling_config,
            "labels": nodegroup.labels,
            "taints": nodegroup.taints,
        }
        try:
            hooks.post("eks.nodegroup.updated", body)
        except hooks.HookError as e:
            raise _server_error(e, clusterName=cluster_name, nodegroupName=nodegroup_name) from e
        return update

    def delete_nodegroup(self, cluster_name: str, nodegroup_name: str) -> Any:
        nodegroup = super().delete_nodegroup(cluster_name, nodegroup_name)
        nodegroup.status = "DELETING"
        hooks.post_best_effort(
            "eks.nodegroup.deleted",
            {"accountId": self.account_id, "region": self.region_name, "cluster": cluster_name, "nodegroupName": nodegroup_name},
        )
        return nodegroup

    # ---- tags (moto tags clusters only; Terraform also tags node groups and add-ons) --------

    def _taggable(self, arn: str, operation: str) -> Any:
        for cluster in self.clusters.values():
            if cluster.arn == arn:
                return cluster
            for child in [*cluster.nodegroups.values(), *cluster.fargate_profiles.values(), *getattr(cluster, "addons", {}).values()]:
                if arn in (getattr(child, "arn", None), getattr(child, "addon_arn", None), getattr(child, "fargate_profile_arn", None)):
                    return child
        raise _not_found(f"An error occurred (NotFoundException) when calling the {operation} operation: Resource was not found")

    def tag_resource(self, resource_arn: str, tags: dict[str, str]) -> None:
        resource = self._taggable(resource_arn, "TagResource")
        if resource.tags is None:
            resource.tags = {}
        resource.tags.update(tags or {})

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        resource = self._taggable(resource_arn, "UntagResource")
        for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
            (resource.tags or {}).pop(key, None)

    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        return dict(self._taggable(resource_arn, "ListTagsForResource").tags or {})

    # ---- add-ons --------------------------------------------------------------------------

    def _cluster(self, name: str) -> Any:
        cluster = self.clusters.get(name)
        if cluster is None:
            raise _not_found(f"No cluster found for name: {name}.", clusterName=name)
        if not hasattr(cluster, "addons"):
            cluster.addons = {}
        return cluster

    def _addon(self, cluster_name: str, addon_name: str) -> Addon:
        cluster = self._cluster(cluster_name)
        addon = cluster.addons.get(addon_name)
        if addon is None:
            raise _not_found(f"No addon: {addon_name} found in cluster: {cluster_name}", clusterName=cluster_name, addonName=addon_name)
        return addon

    def _check_version(self, cluster: Any, addon_name: str, version: str | None) -> str:
        if addon_name not in addon_catalog():
            raise InvalidParameterException(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None, addonName=addon_name, message=f"Addon {addon_name} specified is not supported")
        if not version:
            chosen = default_addon_version(addon_name, cluster.version)
            if chosen is None:
                raise InvalidParameterException(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None, addonName=addon_name, message=f"Addon {addon_name} is not supported on Kubernetes version {cluster.version}")
            return chosen
        if version not in supported_addon_versions(addon_name, cluster.version):
            raise InvalidParameterException(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None, addonName=addon_name, message=f"Addon version specified is not supported: {addon_name} {version} on Kubernetes {cluster.version}")
        return version

    def create_addon(self, cluster_name: str, addon_name: str, addon_version: str | None, service_account_role_arn: str | None, configuration_values: str | None, tags: dict[str, str] | None, pod_identity_associations: list[Any] | None) -> Addon:
        cluster = self._cluster(cluster_name)
        if addon_name in cluster.addons:
            raise ResourceInUseException(clusterName=cluster_name, nodegroupName=None, addonName=addon_name, message="Addon already exists.")
        version = self._check_version(cluster, addon_name, addon_version)
        addon = Addon(cluster, self.account_id, self.region_name, addon_name, version, service_account_role_arn, configuration_values, tags, pod_identity_associations)
        cluster.addons[addon_name] = addon
        try:
            hooks.post("eks.addon.created", addon.hook_body(self.account_id, self.region_name))
        except hooks.HookError as e:
            cluster.addons.pop(addon_name, None)
            raise _server_error(e, clusterName=cluster_name, addonName=addon_name) from e
        return addon

    def describe_addon(self, cluster_name: str, addon_name: str) -> Addon:
        return self._addon(cluster_name, addon_name)

    def list_addons(self, cluster_name: str, max_results: int, next_token: str | None) -> tuple[list[str], str | None]:
        names = sorted(self._cluster(cluster_name).addons)
        start = int(next_token) if next_token else 0
        page = names[start : start + max_results]
        return page, (str(start + max_results) if start + max_results < len(names) else None)

    def update_addon(self, cluster_name: str, addon_name: str, addon_version: str | None, service_account_role_arn: str | None, configuration_values: str | None) -> dict[str, Any]:
        cluster = self._cluster(cluster_name)
        addon = self._addon(cluster_name, addon_name)
        before = (addon.addon_version, addon.service_account_role_arn, addon.configuration_values)
        params = []
        if addon_version:
            addon.addon_version = self._check_version(cluster, addon_name, addon_version)
            params.append({"type": "AddonVersion", "value": addon.addon_version})
        if service_account_role_arn is not None:
            addon.service_account_role_arn = service_account_role_arn or None
            params.append({"type": "ServiceAccountRoleArn", "value": service_account_role_arn})
        if configuration_values is not None:
            addon.configuration_values = configuration_values or None
            params.append({"type": "ConfigurationValues", "value": configuration_values})
        addon.modified_at = utcnow()
        try:
            hooks.post("eks.addon.updated", addon.hook_body(self.account_id, self.region_name))
        except hooks.HookError as e:
            addon.addon_version, addon.service_account_role_arn, addon.configuration_values = before
            raise _server_error(e, clusterName=cluster_name, addonName=addon_name) from e
        update = {"id": str(mock_random.uuid4()), "status": "InProgress", "type": "AddonUpdate", "params": params, "createdAt": utcnow(), "errors": []}
        return self._record_update(update, cluster_name, addon=addon_name)

    def delete_addon(self, cluster_name: str, addon_name: str) -> Addon:
        cluster = self._cluster(cluster_name)
        addon = self._addon(cluster_name, addon_name)
        cluster.addons.pop(addon_name, None)
        addon.status = "DELETING"
        hooks.post_best_effort("eks.addon.deleted", addon.hook_body(self.account_id, self.region_name))
        return addon

    def describe_addon_versions(self, addon_name: str | None, kubernetes_version: str | None, types: list[str] | None, publishers: list[str] | None, owners: list[str] | None) -> list[dict[str, Any]]:
        if publishers and "eks" not in publishers:
            return []
        if owners and "aws" not in owners:
            return []
        out = []
        for name, spec in addon_catalog().items():
            if addon_name and name != addon_name:
                continue
            if types and spec["type"] not in types:
                continue
            versions = []
            for v in spec["versions"]:
                cluster_versions = v["clusterVersions"]
                if kubernetes_version:
                    if _minor(kubernetes_version) not in cluster_versions:
                        continue
                    cluster_versions = [_minor(kubernetes_version)]
                versions.append(
                    {
                        "addonVersion": v["addonVersion"],
                        "architecture": ["amd64", "arm64"],
                        "computeTypes": ["ec2", "auto", "hybrid"],
                        "compatibilities": [
                            {"clusterVersion": cv, "platformVersions": ["*"], "defaultVersion": cv in v["defaultFor"]}
                            for cv in cluster_versions
                        ],
                        "requiresConfiguration": False,
                        "requiresIamPermissions": spec["requiresIamPermissions"],
                    }
                )
            if versions or not kubernetes_version:
                out.append({"addonName": name, "type": spec["type"], "addonVersions": versions, "publisher": "eks", "owner": "aws", "defaultNamespace": "kube-system"})
        return out

    def describe_cluster_versions(self, **filters: Any) -> tuple[list[dict[str, Any]], str | None]:
        return versions.describe_cluster_versions(**filters)

    def describe_update(self, cluster_name: str, update_id: str, nodegroup_name: str | None, addon_name: str | None) -> dict[str, Any]:
        self._cluster(cluster_name)
        record = self.updates.get(update_id)
        if record is None or record["cluster"] != cluster_name or (nodegroup_name and record["nodegroup"] != nodegroup_name) or (addon_name and record["addon"] != addon_name):
            raise _not_found(f"No update found for ID: {update_id}", clusterName=cluster_name, nodegroupName=nodegroup_name, addonName=addon_name)
        return record["update"]
