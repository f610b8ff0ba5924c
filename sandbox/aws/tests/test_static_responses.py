"""EC2's catalogue calls answered from memory after the first time (spotcheck_moto.static_responses)."""

from __future__ import annotations

import io
import os
import tempfile
import unittest
from typing import Any

from spotcheck_moto.static_responses import middleware


def auth(region: str = "eu-west-2", key: str = "AKIAEXAMPLE", service: str = "ec2") -> str:
    return f"AWS4-HMAC-SHA256 Credential={key}/20240129/{region}/{service}/aws4_request, SignedHeaders=host, Signature=x"


class CountingApp:
    """moto's stand-in: answers each request with a new body, and counts the calls."""

    def __init__(self, status: str = "200 OK") -> None:
        self.calls = 0
        self.status = status
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.calls += 1
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.bodies.append(environ["wsgi.input"].read(length))
        start_response(self.status, [("Content-Type", "text/xml")])
        return [f"<answer n='{self.calls}'/>".encode()]


def call(app: Any, body: str, authorization: str = auth(), method: str = "POST") -> tuple[str, bytes]:
    raw = body.encode()
    environ = {"REQUEST_METHOD": method, "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw), "HTTP_AUTHORIZATION": authorization}
    seen: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = status

    content = b"".join(app(environ, start_response))
    return seen.get("status", ""), content


class StaticResponsesTest(unittest.TestCase):
    def test_the_same_catalogue_request_is_answered_once(self) -> None:
        inner = CountingApp()
        app = middleware(inner, cache_dir="")
        body = "Action=DescribeInstanceTypes&Version=2016-11-15&MaxResults=100"
        first = call(app, body)
        second = call(app, "Version=2016-11-15&MaxResults=100&Action=DescribeInstanceTypes")  # same parameters, another order
        self.assertEqual(inner.calls, 1)
        self.assertEqual(first, second)
        self.assertEqual(inner.bodies, [body.encode()], "moto read the request body as sent")

    def test_other_parameters_regions_callers_and_actions_are_asked(self) -> None:
        inner = CountingApp()
        app = middleware(inner, cache_dir="")
        call(app, "Action=DescribeInstanceTypeOfferings&LocationType=availability-zone")
        call(app, "Action=DescribeInstanceTypeOfferings&LocationType=region")
        call(app, "Action=DescribeInstanceTypeOfferings&LocationType=region", auth(region="us-east-1"))
        call(app, "Action=DescribeInstanceTypeOfferings&LocationType=region", auth(key="AKIAOTHER"))
        self.assertEqual(inner.calls, 3, "moto's catalogue is the same for every account")
        for _ in range(2):
            call(app, "Action=DescribeInstances")
            call(app, "Action=DescribeInstanceTypes", auth(service="ssm"))
            call(app, "", method="GET")
        self.assertEqual(inner.calls, 9, "only EC2's catalogue calls are kept")

    def test_a_cache_directory_serves_the_next_process(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            first = CountingApp()
            body = "Action=DescribeInstanceTypes&MaxResults=100"
            answered = call(middleware(first, cache_dir=directory), body)
            later = CountingApp()  # another moto process, the same directory
            self.assertEqual(call(middleware(later, cache_dir=directory), body), answered)
            self.assertEqual((first.calls, later.calls), (1, 0))
            self.assertEqual([f for f in os.listdir(directory) if f.endswith(".partial")], [])
            for name in os.listdir(directory):  # a file cut short is asked of moto again
                with open(os.path.join(directory, name), "w") as f:
                    f.write('{"status": "200 OK", "hea')
            third = CountingApp()
            call(middleware(third, cache_dir=directory), body)
            self.assertEqual(third.calls, 1)

    def test_a_failed_answer_is_not_kept(self) -> None:
        inner = CountingApp(status="503 Service Unavailable")
        app = middleware(inner, cache_dir="")
        call(app, "Action=DescribeInstanceTypes")
        call(app, "Action=DescribeInstanceTypes")
        self.assertEqual(inner.calls, 2)


if __name__ == "__main__":
    unittest.main()
