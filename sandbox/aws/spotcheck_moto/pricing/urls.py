"""URL table of the Price List backend (JSON protocol: every action is a POST to /).

The SDKs call ``https://api.pricing.<region>.amazonaws.com``; moto's server, reached on its own
endpoint, names the host ``pricing.<region>.amazonaws.com`` after the signing name.
"""

from .responses import PricingResponse

url_bases = [
    r"https?://api\.pricing\.(.+)\.amazonaws\.com",
    r"https?://pricing\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/$": PricingResponse.dispatch,
}
