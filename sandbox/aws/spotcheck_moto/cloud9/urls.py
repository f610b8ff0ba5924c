"""URL table of the Cloud9 backend (JSON protocol: every action is a POST to /)."""

from .responses import Cloud9Response

url_bases = [
    r"https?://cloud9\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/$": Cloud9Response.dispatch,
}
