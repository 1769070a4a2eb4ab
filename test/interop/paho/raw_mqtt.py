"""Hand-built MQTT packets over a plain socket.

paho-mqtt is a well-behaved client: it will not send a second CONNECT, a
wrong protocol name or an empty client id with a persistent session, it
always acknowledges what it receives, and paho 1.6 drops the reason code of
a two-byte DISCONNECT. The cases that need any of those speak to the broker
through this module instead. It knows just enough of MQTT 3.1.1 and 5.0 to
write the packets those cases send and to read what comes back.
"""

import socket
import struct

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = range(1, 8)
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = range(8, 12)
PINGREQ, PINGRESP, DISCONNECT = 12, 13, 14

# Property identifier -> wire type, for the properties these tests read.
BYTE, TWO, FOUR, VARINT, UTF8, BINARY, PAIR = range(7)
PROPERTY_TYPES = {
    0x01: BYTE, 0x02: FOUR, 0x03: UTF8, 0x08: UTF8, 0x09: BINARY,
    0x0B: VARINT, 0x11: FOUR, 0x12: UTF8, 0x13: TWO, 0x15: UTF8,
    0x16: BINARY, 0x17: BYTE, 0x18: FOUR, 0x19: BYTE, 0x1A: UTF8,
    0x1C: UTF8, 0x1F: UTF8, 0x21: TWO, 0x22: TWO, 0x23: TWO, 0x24: BYTE,
    0x25: BYTE, 0x26: PAIR, 0x27: FOUR, 0x28: BYTE, 0x29: BYTE, 0x2A: BYTE,
}
RECEIVE_MAXIMUM = 0x21
TOPIC_ALIAS = 0x23
MAXIMUM_PACKET_SIZE = 0x27


def varint(n):
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def text(s):
    data = s.encode("utf-8") if isinstance(s, str) else s
    return struct.pack("!H", len(data)) + data


def properties(pairs):
    """pairs: list of (identifier, already-encoded value bytes)."""
    body = b"".join(bytes([ident]) + value for ident, value in pairs)
    return varint(len(body)) + body


def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value += (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def parse_properties(data, pos):
    """Returns ({identifier: value or [values]}, position after them)."""
    length, pos = read_varint(data, pos)
    end, found = pos + length, {}
    while pos < end:
        ident = data[pos]
        pos += 1
        kind = PROPERTY_TYPES[ident]
        if kind == BYTE:
            value, pos = data[pos], pos + 1
        elif kind == TWO:
            value, pos = struct.unpack_from("!H", data, pos)[0], pos + 2
        elif kind == FOUR:
            value, pos = struct.unpack_from("!I", data, pos)[0], pos + 4
        elif kind == VARINT:
            value, pos = read_varint(data, pos)
        elif kind == PAIR:
            key, pos = read_text(data, pos)
            val, pos = read_text(data, pos)
            value = (key, val)
        else:
            size = struct.unpack_from("!H", data, pos)[0]
            value, pos = data[pos + 2 : pos + 2 + size], pos + 2 + size
            if kind == UTF8:
                value = value.decode("utf-8")
        found.setdefault(ident, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in found.items()}, end


def read_text(data, pos):
    size = struct.unpack_from("!H", data, pos)[0]
    return data[pos + 2 : pos + 2 + size].decode("utf-8"), pos + 2 + size


class Packet:
    def __init__(self, kind, flags, body):
        self.kind, self.flags, self.body = kind, flags, body

    def __repr__(self):
        return "Packet(type=%d, flags=%d, body=%r)" % (self.kind, self.flags, self.body)


class RawClient:
    """One TCP connection to the broker; every method sends or reads one packet."""

    def __init__(self, port, version=4, timeout=5.0):
        self.version = version
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send(self, first_byte, body):
        self.sock.sendall(bytes([first_byte]) + varint(len(body)) + body)

    def connect(self, client_id, clean=True, keepalive=60, props=None, name="MQTT"):
        flags = 0x02 if clean else 0
        body = text(name) + bytes([self.version, flags]) + struct.pack("!H", keepalive)
        if self.version == 5:
            body += properties(props or [])
        self.send(CONNECT << 4, body + text(client_id))

    def connack(self):
        """Returns (session_present, reason_code, properties) or None if closed."""
        packet = self.read()
        if packet is None:
            return None
        if packet.kind != CONNACK:
            raise AssertionError("expected CONNACK, got %r" % packet)
        props = {}
        if self.version == 5 and len(packet.body) > 2:
            props = parse_properties(packet.body, 2)[0]
        return bool(packet.body[0] & 1), packet.body[1], props

    def subscribe(self, packet_id, topic_filter, options):
        body = struct.pack("!H", packet_id)
        if self.version == 5:
            body += properties([])
        self.send((SUBSCRIBE << 4) | 2, body + text(topic_filter) + bytes([options]))

    def publish(self, topic, payload, qos=0, packet_id=0, props=None, retain=False):
        body = text(topic)
        if qos:
            body += struct.pack("!H", packet_id)
        if self.version == 5:
            body += properties(props or [])
        self.send((PUBLISH << 4) | (qos << 1) | int(retain), body + payload)

    def ack(self, kind, packet_id):
        flags = 2 if kind == PUBREL else 0
        self.send((kind << 4) | flags, struct.pack("!H", packet_id))

    def disconnect(self):
        self.send(DISCONNECT << 4, b"")
        self.close()

    def read(self, timeout=None):
        """Next packet, None if the broker closed the connection; raises
        socket.timeout when nothing arrives in time."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        while True:
            packet = self.take_packet()
            if packet is not None:
                return packet
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.buffer += chunk

    def take_packet(self):
        if len(self.buffer) < 2:
            return None
        try:
            length, pos = read_varint(self.buffer, 1)
        except IndexError:
            return None
        if len(self.buffer) < pos + length:
            return None
        first, body = self.buffer[0], self.buffer[pos : pos + length]
        self.buffer = self.buffer[pos + length :]
        return Packet(first >> 4, first & 0x0F, body)

    def parse_publish(self, packet):
        """Returns (topic, packet_id, properties, payload) of a PUBLISH."""
        topic, pos = read_text(packet.body, 0)
        packet_id = 0
        if (packet.flags >> 1) & 3:
            packet_id = struct.unpack_from("!H", packet.body, pos)[0]
            pos += 2
        props = {}
        if self.version == 5:
            props, pos = parse_properties(packet.body, pos)
        return topic, packet_id, props, packet.body[pos:]

    def closed_within(self, seconds):
        """True if the broker closes the connection (after any packets) in time."""
        try:
            while self.read(timeout=seconds) is not None:
                pass
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
