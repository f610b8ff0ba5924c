"""URL table of the EKS backend: moto's paths plus add-ons, updates and cluster versions."""

from .responses import SpotcheckEKSResponse

url_bases = [
    r"https?://eks\.(.+)\.amazonaws.com",
]

_dispatch = SpotcheckEKSResponse.dispatch

url_paths = {
    "{0}/clusters$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/node-groups$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-config$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/fargate-profiles$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/fargate-profiles/(?P<fargateProfileName>[^/]+)$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/update-config$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/addons$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$": _dispatch,
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$": _dispatch,
    "{0}/addons/supported-versions$": _dispatch,
    "{0}/cluster-versions$": _dispatch,
    "{0}/tags/(?P<resourceArn>.+)$": _dispatch,
}
