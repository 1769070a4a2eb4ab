"""The case registry and what each case is handed (its brokers, names, peers).

Cases run concurrently, one thread each, so each one works only on topics
under its own prefix and with client ids of its own; no case subscribes to
a filter that starts with a wildcard except the $-topic cases, which look
only at their own topics in what arrives.
"""

import time

from peer import Peer
from raw_mqtt import RawClient

CASES = []


def case(name, broker="plain"):
    """Registers a case; broker names the listener it needs (see Ctx.port)."""

    def register(function):
        CASES.append((name, broker, function))
        return function

    return register


class Ctx:
    def __init__(self, name, ports, run_id):
        self.name = name
        self.ports = ports
        self.run_id = run_id
        self.notes = []
        self.resources = []
        # Short but unique: client ids stay readable in the broker's log.
        self.token = "%s-%s" % (run_id, name)

    @property
    def port(self):
        return self.ports["plain"]

    def topic(self, suffix):
        return "paho/%s/%s" % (self.token, suffix)

    def client_id(self, suffix):
        return "%s-%s" % (self.token, suffix)

    def peer(self, suffix, version=5, port=None, client_id=None, **options):
        """A paho client named <token>-<suffix> (or client_id when given)."""
        ident = self.client_id(suffix) if client_id is None else client_id
        peer = Peer(port or self.port, ident, version=version, **options)
        self.resources.append(peer)
        return peer

    def raw(self, version=5, port=None):
        client = RawClient(port or self.port, version=version)
        self.resources.append(client)
        return client

    def note(self, text):
        self.notes.append(text)

    def close(self):
        for resource in reversed(self.resources):
            resource.close()


def elapsed_since(start):
    return round(time.monotonic() - start, 2)
