"""URL table of the FIS backend (moto looks for it next to the backend class's module)."""

from .responses import SpotcheckFISResponse

url_bases = [
    r"https?://fis\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/experimentTemplates$": SpotcheckFISResponse.dispatch,
    "{0}/experimentTemplates/(?P<id>[^/]+)$": SpotcheckFISResponse.dispatch,
    "{0}/experiments$": SpotcheckFISResponse.dispatch,
    "{0}/experiments/(?P<id>[^/]+)$": SpotcheckFISResponse.dispatch,
    "{0}/experiments/(?P<id>[^/]+)/resolvedTargets$": SpotcheckFISResponse.dispatch,
    "{0}/actions$": SpotcheckFISResponse.dispatch,
    "{0}/actions/(?P<id>[^/]+)$": SpotcheckFISResponse.dispatch,
    "{0}/targetResourceTypes$": SpotcheckFISResponse.dispatch,
    "{0}/targetResourceTypes/(?P<resourceType>.+)$": SpotcheckFISResponse.dispatch,
    "{0}/tags/(?P<resourceArn>.+)$": SpotcheckFISResponse.dispatch,
}
