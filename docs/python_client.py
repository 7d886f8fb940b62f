#!/usr/bin/python3
"""A wscenter bus client in Python: run API calls and receive client events.

Needs only python3-zmq and python3-msgpack (Debian packages).

  python3 docs/python_client.py --registry tcp://127.0.0.1:8010 call getConnectionCount
  python3 docs/python_client.py call sendMessageTo_Id '{"sendMessageTo_Id":{"_id":"...","msg":"hi"}}'
  python3 docs/python_client.py subscribe

With CURVE on the bus, give the registry's public key and our secret key
(--curve-server-key, --curve-secret-key, or the environment variables
WSCENTER_CLI_CURVE_SERVER_KEY and WSCENTER_CLI_CURVE_SECRET_KEY).
"""
import argparse
import json
import os
import random
import sys
import time

import msgpack
import zmq

HEADER = b"WSC1"
CLIENT_CALL, CLIENT_RESULT, SUBSCRIBE, UPSTREAM, EVENT = 6, 7, 10, 11, 17


def send(sock, command, body):
    sock.send_multipart([HEADER, bytes([command]), msgpack.packb(body)])


def receive(sock):
    return decode(sock.recv_multipart())


def decode(frames):
    """(command, body) of one bus message; (None, None) for one that cannot be read.

    Client messages are published as the clients sent them, so a string may hold
    bytes that are not UTF-8: they become U+FFFD instead of stopping the program.
    """
    if len(frames) != 3 or frames[0] != HEADER or len(frames[1]) != 1:
        return None, None
    try:
        return frames[1][0], msgpack.unpackb(frames[2], raw=False, unicode_errors="replace")
    except Exception:  # a malformed body: skip it
        return None, None


def format_event(event):
    """One JSON line for an event; bytes values (msgpack bin) are shown as text."""
    def printable(value):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode("utf-8", errors="replace")
        return repr(value)
    try:
        return json.dumps(event, separators=(",", ":"), default=printable)
    except (TypeError, ValueError):  # e.g. keys that JSON cannot have
        return json.dumps(repr(event))


def connect(endpoint, curve=None):
    """A DEALER to the registry; curve = (server public key, our secret key), Z85."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    if curve:
        server_key, secret_key = (k.encode() for k in curve)
        sock.curve_serverkey = server_key
        sock.curve_secretkey = secret_key
        sock.curve_publickey = zmq.curve_public(secret_key)
    sock.connect(endpoint)
    return sock


def call(endpoint, event, params, token=None, timeout_ms=3000, curve=None, ack_ms=None):
    """Runs one API call; returns the envelope as a dict (same as the HTTP API).

    With ack_ms, sends wait up to that long for the acks of connections that
    opted in (?acks=1) and each node's result of a send is
    {"sent": n, "acked": k, "_ids": [...]}."""
    sock = connect(endpoint, curve)
    req = random.getrandbits(63)
    body = dict(params, event=event)
    if token:
        body["token"] = token
    if ack_ms:
        body["ack"] = ack_ms
    send(sock, CLIENT_CALL, {"req": req, "params": body})
    deadline = time.monotonic() + max(timeout_ms, ack_ms or 0) / 1000 + 2
    while time.monotonic() < deadline:
        if sock.poll(100):
            command, msg = receive(sock)
            if command == CLIENT_RESULT and msg.get("req") == req:
                return json.loads(msg["envelope"])
    raise TimeoutError(f"no answer from {endpoint}")


def subscribe(endpoint, events=None, token=None, curve=None):
    """Yields events (dicts) from the whole cluster, renewing the subscription: the
    clients' open/message/close, and the cluster's online/offline and node_lost closes.
    Each carries "eid", the same for a copy delivered again: drop repeats by it."""
    sock = connect(endpoint, curve)
    request = {"events": events or []}
    if token:
        request["token"] = token
    renew_at = 0.0
    while True:
        if time.monotonic() >= renew_at:
            send(sock, SUBSCRIBE, request)
            renew_at = time.monotonic() + 1.0
        if sock.poll(100):
            command, msg = receive(sock)
            if command in (UPSTREAM, EVENT):
                yield msg
            elif command == CLIENT_RESULT:
                raise PermissionError(json.loads(msg["envelope"])["msg"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", default="tcp://127.0.0.1:8010")
    parser.add_argument("--token")
    parser.add_argument("--curve-server-key", default=os.environ.get("WSCENTER_CLI_CURVE_SERVER_KEY"))
    parser.add_argument("--curve-secret-key", default=os.environ.get("WSCENTER_CLI_CURVE_SECRET_KEY"))
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("call")
    c.add_argument("event")
    c.add_argument("params", nargs="?", default="{}", help="JSON object, as an HTTP body")
    c.add_argument("--ack", type=int, metavar="MS", help="delivery receipts: wait up to MS for acks")
    s = sub.add_parser("subscribe")
    s.add_argument("--event", action="append",
                   help="open, message, close, online or offline (repeatable)")
    args = parser.parse_args()
    curve = None
    if args.curve_server_key or args.curve_secret_key:
        if not (args.curve_server_key and args.curve_secret_key):
            parser.error("CURVE needs both --curve-server-key and --curve-secret-key")
        curve = (args.curve_server_key, args.curve_secret_key)
    if args.command == "call":
        envelope = call(args.registry, args.event, json.loads(args.params), args.token, curve=curve,
                        ack_ms=args.ack)
        print(json.dumps(envelope, separators=(",", ":")))
        return 0 if envelope.get("code") == 0 else 1
    try:
        for event in subscribe(args.registry, args.event, args.token, curve):
            print(format_event(event), flush=True)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
