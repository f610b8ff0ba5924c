"""moto's request routing remembered per host (spotcheck_moto.routing): the same service as
moto's own dispatcher, and no second scan of moto's package directory for a host seen before."""

from __future__ import annotations

import os
import unittest
from unittest import mock

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from spotcheck_moto.routing import Dispatcher

# The hosts the sandbox's clients send, moto's own names for its API and metadata, a service
# package's bare name, none, and one that matches no service.
HOSTS = [
    "ec2.eu-west-2.amazonaws.com",
    "eks.eu-west-2.amazonaws.com",
    "iam.amazonaws.com",
    "sts.eu-west-2.amazonaws.com",
    "sqs.eu-west-2.amazonaws.com",
    "fis.eu-west-2.amazonaws.com",
    "cloudformation.eu-west-2.amazonaws.com",
    "moto_api",
    "instance_metadata",
    "s3",
    None,
    "example.org",
]


class RoutingTest(unittest.TestCase):
    def test_routes_every_host_as_moto_does(self) -> None:
        ours, motos = Dispatcher(create_backend_app), DomainDispatcherApplication(create_backend_app)
        for host in HOSTS:
            with self.subTest(host=host):
                self.assertEqual(ours.get_backend_for_host(host), motos.get_backend_for_host(host))
                self.assertEqual(ours.get_backend_for_host(host), motos.get_backend_for_host(host), "asked again")

    def test_scans_moto_packages_once_per_host(self) -> None:
        dispatcher = Dispatcher(create_backend_app)
        with mock.patch.object(os, "listdir", wraps=os.listdir) as listdir:
            first = dispatcher.get_backend_for_host("ec2.eu-west-2.amazonaws.com")
            scans = listdir.call_count
            for _ in range(5):
                self.assertEqual(dispatcher.get_backend_for_host("ec2.eu-west-2.amazonaws.com"), first)
        self.assertEqual(first, "ec2")
        self.assertGreater(scans, 0, "moto's own routing lists its packages (the cost remembered here)")
        self.assertEqual(listdir.call_count, scans, "a host seen before is routed without listing moto's packages again")


if __name__ == "__main__":
    unittest.main()
