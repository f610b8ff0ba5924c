"""EKS REST-JSON handlers: add-ons, DescribeUpdate, DescribeClusterVersions, accessConfig on CreateCluster."""

from __future__ import annotations

import json
from typing import Any

from moto.core.responses import ActionResult
from moto.eks.models import eks_backends
from moto.eks.responses import EKSResponse

from ..rest_json import RestJsonRequest, page


class SpotcheckEKSResponse(RestJsonRequest, EKSResponse):
    @property
    def eks_backend(self) -> Any:
        return eks_backends[self.current_account][self.region]

    def create_cluster(self) -> ActionResult:
        body = self._body()
        cluster = self.eks_backend.create_cluster(
            name=body.get("name"),
            role_arn=body.get("roleArn"),
            resources_vpc_config=body.get("resourcesVpcConfig") or {},
            version=body.get("version"),
            kubernetes_network_config=body.get("kubernetesNetworkConfig"),
            logging=body.get("logging"),
            client_request_token=body.get("clientRequestToken"),
            tags=body.get("tags"),
            encryption_config=body.get("encryptionConfig"),
            remote_network_config=body.get("remoteNetworkConfig"),
            access_config=body.get("accessConfig"),
        )
        return ActionResult({"cluster": cluster})

    def update_cluster_config(self) -> ActionResult:
        # moto answers the cluster; EKS answers an Update that DescribeUpdate can follow.
        name = self._get_param("name")
        super().update_cluster_config()
        body = self._body()
        params = [{"type": k[0].upper() + k[1:], "value": json.dumps(v)} for k, v in body.items() if k not in ("name", "clientRequestToken")]
        return ActionResult({"update": self.eks_backend.cluster_update(name, params)})

    def describe_update(self) -> ActionResult:
        update = self.eks_backend.describe_update(
            self._get_param("name"), self._get_param("updateId"), self._query("nodegroupName"), self._query("addonName")
        )
        return ActionResult({"update": update})

    def create_addon(self) -> ActionResult:
        body = self._body()
        addon = self.eks_backend.create_addon(
            cluster_name=self._get_param("name"),
            addon_name=body.get("addonName"),
            addon_version=body.get("addonVersion"),
            service_account_role_arn=body.get("serviceAccountRoleArn"),
            configuration_values=body.get("configurationValues"),
            tags=body.get("tags"),
            pod_identity_associations=body.get("podIdentityAssociations"),
        )
        return ActionResult({"addon": addon})

    def describe_addon(self) -> ActionResult:
        return ActionResult({"addon": self.eks_backend.describe_addon(self._get_param("name"), self._get_param("addonName"))})

    def list_addons(self) -> ActionResult:
        names, token = self.eks_backend.list_addons(self._get_param("name"), int(self._query("maxResults") or 100), self._query("nextToken"))
        return ActionResult(page("addons", names, token))

    def update_addon(self) -> ActionResult:
        body = self._body()
        update = self.eks_backend.update_addon(
            cluster_name=self._get_param("name"),
            addon_name=self._get_param("addonName"),
            addon_version=body.get("addonVersion"),
            service_account_role_arn=body.get("serviceAccountRoleArn"),
            configuration_values=body.get("configurationValues"),
        )
        return ActionResult({"update": update})

    def delete_addon(self) -> ActionResult:
        return ActionResult({"addon": self.eks_backend.delete_addon(self._get_param("name"), self._get_param("addonName"))})

    def describe_addon_versions(self) -> ActionResult:
        addons = self.eks_backend.describe_addon_versions(
            self._query("addonName"),
            self._query("kubernetesVersion"),
            self._query_list("types"),
            self._query_list("publishers"),
            self._query_list("owners"),
        )
        start = int(self._query("nextToken") or 0)
        size = int(self._query("maxResults") or 100)
        more = str(start + size) if start + size < len(addons) else None
        return ActionResult(page("addons", addons[start : start + size], more))

    def describe_cluster_versions(self) -> ActionResult:
        max_results = self._query("maxResults")
        items, token = self.eks_backend.describe_cluster_versions(
            cluster_type=self._query("clusterType"),
            default_only=self._query_bool("defaultOnly"),
            include_all=self._query_bool("includeAll"),
            cluster_versions=self._query_list("clusterVersions"),
            status=self._query("status"),
            version_status=self._query("versionStatus"),
            max_results=int(max_results) if max_results and max_results.isdigit() else None,
            next_token=self._query("nextToken"),
        )
        return ActionResult(page("clusterVersions", items, token))
