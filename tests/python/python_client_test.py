#!/usr/bin/python3
"""Checks of docs/python_client.py that need no cluster: whatever a client sent,
the subscriber decodes and prints it instead of failing."""
import importlib.util
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "python_client", os.path.join(HERE, "..", "..", "docs", "python_client.py"))
client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(client)

UPSTREAM = bytes([client.UPSTREAM])


class Decode(unittest.TestCase):
    def test_invalid_utf8_in_a_string_is_replaced(self):
        # {"event": "message", "data": <str of bytes ff fe 41>}, written by hand: a
        # msgpack writer would refuse the bad string.
        body = b"\x82\xa5event\xa7message\xa4data\xa3\xff\xfeA"
        command, event = client.decode([client.HEADER, UPSTREAM, body])
        self.assertEqual(command, client.UPSTREAM)
        self.assertEqual(event["data"], "\ufffd\ufffdA")
        self.assertEqual(json.loads(client.format_event(event))["data"], "\ufffd\ufffdA")

    def test_valid_text_is_intact(self):
        body = client.msgpack.packb({"event": "message", "data": "κόσμε €"})
        _, event = client.decode([client.HEADER, UPSTREAM, body])
        self.assertEqual(json.loads(client.format_event(event))["data"], "κόσμε €")

    def test_bytes_values_are_printed(self):
        line = client.format_event({"data": b"\x00\xffok", "n": 1})
        self.assertEqual(json.loads(line), {"data": "\x00\ufffdok", "n": 1})

    def test_malformed_bodies_are_skipped(self):
        for body in (b"\xc1", b"\x82\xa5event", b""):
            self.assertEqual(client.decode([client.HEADER, UPSTREAM, body]), (None, None))
        self.assertEqual(client.decode([b"XXXX", UPSTREAM, b"\x80"]), (None, None))
        self.assertEqual(client.decode([client.HEADER, UPSTREAM]), (None, None))


if __name__ == "__main__":
    sys.exit(unittest.main())
