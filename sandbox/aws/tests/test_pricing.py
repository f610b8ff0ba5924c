"""The sandbox's Price List Query API (spotcheck_moto.pricing): GetProducts, DescribeServices,
GetAttributeValues for AmazonEC2, answered from fixtures/prices/ec2-on-demand-prices.json."""

from __future__ import annotations

import json
import unittest
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

import spotcheck_moto
from spotcheck_moto.spot_market import DATA_FILE

spotcheck_moto.install()

with open(DATA_FILE, encoding="utf-8") as f:
    TABLE = json.load(f)["regions"]


def term(field: str, value: str, kind: str = "TERM_MATCH") -> dict[str, str]:
    return {"Type": kind, "Field": field, "Value": value}


LINUX_ON_DEMAND = [term("operatingSystem", "Linux"), term("preInstalledSw", "NA"), term("capacitystatus", "Used"), term("tenancy", "Shared")]


def usd(item: dict[str, Any]) -> float:
    (offer,) = item["terms"]["OnDemand"].values()
    (dimension,) = offer["priceDimensions"].values()
    return float(dimension["pricePerUnit"]["USD"])


@mock_aws
class GetProductsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.pricing = boto3.client("pricing", region_name="us-east-1")

    def products(self, *filters: dict[str, str], **kwargs: Any) -> list[dict[str, Any]]:
        answer = self.pricing.get_products(ServiceCode="AmazonEC2", Filters=list(filters), **kwargs)
        self.assertEqual(answer["FormatVersion"], "aws_v1")
        return [json.loads(item) for item in answer["PriceList"]]

    def test_one_type_in_a_region_is_one_linux_on_demand_product_with_the_tables_price(self) -> None:
        (item,) = self.products(term("ServiceCode", "AmazonEC2"), term("regionCode", "eu-west-2"), term("instanceType", "m5.large"), *LINUX_ON_DEMAND)
        attributes = item["product"]["attributes"]
        self.assertEqual((attributes["instanceType"], attributes["regionCode"], attributes["location"]), ("m5.large", "eu-west-2", "EU (London)"))
        self.assertEqual((item["product"]["productFamily"], item["serviceCode"]), ("Compute Instance", "AmazonEC2"))
        self.assertEqual(usd(item), TABLE["eu-west-2"]["prices"]["m5.large"])
        (offer,) = item["terms"]["OnDemand"].values()
        self.assertEqual(offer["offerTermCode"], "JRTCKXETXF")
        self.assertRegex(item["product"]["sku"], r"^[A-Z2-7]{16}$")

    def test_the_location_name_selects_the_same_products_as_the_region_code(self) -> None:
        by_code = self.products(term("regionCode", "us-east-1"), term("instanceType", "c5.xlarge"), *LINUX_ON_DEMAND)
        by_name = self.products(term("location", "US East (N. Virginia)"), term("instanceType", "c5.xlarge"), *LINUX_ON_DEMAND)
        self.assertEqual(by_code, by_name)
        self.assertEqual(usd(by_code[0]), TABLE["us-east-1"]["prices"]["c5.xlarge"])

    def test_without_capacitystatus_a_client_also_gets_the_capacity_reservation_products(self) -> None:
        found = self.products(term("regionCode", "us-east-1"), term("instanceType", "m5.large"), term("operatingSystem", "Linux"))
        statuses = {i["product"]["attributes"]["capacitystatus"]: usd(i) for i in found}
        price = TABLE["us-east-1"]["prices"]["m5.large"]
        self.assertEqual(statuses, {"Used": price, "UnusedCapacityReservation": price, "AllocatedCapacityReservation": 0.0})

    def test_bare_metal_is_listed_with_dedicated_tenancy(self) -> None:
        self.assertEqual(self.products(term("regionCode", "us-east-1"), term("instanceType", "c5.metal"), *LINUX_ON_DEMAND), [])
        (item,) = self.products(term("regionCode", "us-east-1"), term("instanceType", "c5.metal"), term("tenancy", "Dedicated"), term("productFamily", "Compute Instance (bare metal)"), term("capacitystatus", "Used"))
        self.assertEqual(usd(item), TABLE["us-east-1"]["prices"]["c5.metal"])

    def test_a_region_without_its_own_table_has_us_east_1s_prices(self) -> None:
        (item,) = self.products(term("regionCode", "ap-southeast-2"), term("instanceType", "m5.large"), *LINUX_ON_DEMAND)
        self.assertEqual((item["product"]["attributes"]["location"], usd(item)), ("Asia Pacific (Sydney)", TABLE["us-east-1"]["prices"]["m5.large"]))

    def test_unknown_type_or_region_is_an_empty_list(self) -> None:
        self.assertEqual(self.products(term("regionCode", "eu-west-2"), term("instanceType", "m99.huge")), [])
        self.assertEqual(self.products(term("regionCode", "xx-nowhere-1"), term("instanceType", "m5.large")), [])

    def test_pages_chain_with_next_token_and_cover_every_product_once(self) -> None:
        filters = [term("regionCode", "eu-west-2"), term("instanceType", "m5.", "CONTAINS"), *LINUX_ON_DEMAND]
        whole = self.products(*filters)
        self.assertGreater(len(whole), 7)
        seen: list[dict[str, Any]] = []
        token = None
        while True:
            answer = self.pricing.get_products(ServiceCode="AmazonEC2", Filters=filters, MaxResults=3, **({"NextToken": token} if token else {}))
            self.assertLessEqual(len(answer["PriceList"]), 3)
            seen.extend(json.loads(i) for i in answer["PriceList"])
            token = answer.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, whole)

    def test_any_of_and_none_of(self) -> None:
        found = self.products(term("regionCode", "us-east-1"), term("instanceType", "m5.large,c5.large", "ANY_OF"), *LINUX_ON_DEMAND)
        self.assertEqual(sorted(i["product"]["attributes"]["instanceType"] for i in found), ["c5.large", "m5.large"])
        rest = self.products(term("regionCode", "us-east-1"), term("instanceType", "m5.large"), term("capacitystatus", "Used,UnusedCapacityReservation", "NONE_OF"))
        self.assertEqual([i["product"]["attributes"]["capacitystatus"] for i in rest], ["AllocatedCapacityReservation"])

    def error(self, call: Any, **kwargs: Any) -> dict[str, Any]:
        with self.assertRaises(ClientError) as raised:
            call(**kwargs)
        return raised.exception.response["Error"]

    def test_bad_requests_are_refused_naming_what_is_accepted(self) -> None:
        self.assertEqual(self.error(self.pricing.get_products, ServiceCode="AmazonS3")["Code"], "NotFoundException")
        bad_type = self.error(self.pricing.get_products, ServiceCode="AmazonEC2", Filters=[{"Type": "NOPE", "Field": "instanceType", "Value": "m5.large"}])
        self.assertEqual(bad_type["Code"], "InvalidParameterException")
        self.assertIn("TERM_MATCH", bad_type["Message"])
        self.assertEqual(self.error(self.pricing.get_products, ServiceCode="AmazonEC2", MaxResults=101)["Code"], "InvalidParameterException")
        self.assertEqual(self.error(self.pricing.get_products, ServiceCode="AmazonEC2", NextToken="garbage")["Code"], "InvalidNextTokenException")

    def test_only_the_three_price_list_regions_answer(self) -> None:
        for region in ("eu-central-1", "ap-south-1"):
            self.assertTrue(boto3.client("pricing", region_name=region).describe_services(ServiceCode="AmazonEC2")["Services"])
        answer = self.error(boto3.client("pricing", region_name="eu-west-2").get_products, ServiceCode="AmazonEC2")
        self.assertEqual(answer["Code"], "UnknownEndpoint")
        self.assertIn("us-east-1, eu-central-1, ap-south-1", answer["Message"])


@mock_aws
class AttributesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.pricing = boto3.client("pricing", region_name="us-east-1")

    def test_describe_services_names_the_filterable_attributes(self) -> None:
        (service,) = self.pricing.describe_services(ServiceCode="AmazonEC2")["Services"]
        self.assertEqual(service["ServiceCode"], "AmazonEC2")
        for name in ("instanceType", "regionCode", "location", "operatingSystem", "tenancy", "preInstalledSw", "capacitystatus", "productFamily"):
            self.assertIn(name, service["AttributeNames"])
        self.assertEqual([s["ServiceCode"] for s in self.pricing.describe_services()["Services"]], ["AmazonEC2"])

    def test_attribute_values(self) -> None:
        values = [v["Value"] for page in self.pricing.get_paginator("get_attribute_values").paginate(ServiceCode="AmazonEC2", AttributeName="capacitystatus") for v in page["AttributeValues"]]
        self.assertEqual(values, ["AllocatedCapacityReservation", "UnusedCapacityReservation", "Used"])
        regions = [v["Value"] for page in self.pricing.get_paginator("get_attribute_values").paginate(ServiceCode="AmazonEC2", AttributeName="regionCode") for v in page["AttributeValues"]]
        self.assertIn("eu-west-2", regions)
        with self.assertRaises(ClientError) as raised:
            self.pricing.get_attribute_values(ServiceCode="AmazonEC2", AttributeName="nonsense")
        self.assertEqual(raised.exception.response["Error"]["Code"], "NotFoundException")


if __name__ == "__main__":
    unittest.main()
