"""A paho-mqtt client wrapped so that a test case reads top to bottom.

Each call blocks until the broker answered (CONNACK, SUBACK, the end of a
QoS 1/2 flow) or a timeout passed, and everything that arrives is recorded,
so a case says "connect, subscribe, publish, expect these messages" without
callbacks. A threaded peer runs paho's network loop in the background; an
unthreaded one is driven only while connecting, so afterwards it sends
nothing at all (no PINGREQ), which is what the keepalive cases need.
"""

import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

HOST = "127.0.0.1"


class CaseFailure(AssertionError):
    pass


def check(condition, why):
    if not condition:
        raise CaseFailure(why)


def poll(predicate, timeout, what):
    """For conditions that span several peers (each has its own lock)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise CaseFailure("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(0.02)


def props(packet_type, **values):
    """Properties(PUBLISH, ContentType="x", UserProperty=[("a", "b")])."""
    result = Properties(packet_type)
    for name, value in values.items():
        setattr(result, name, value)
    return result


def publish_props(**values):
    return props(PacketTypes.PUBLISH, **values)


def will_props(**values):
    return props(PacketTypes.WILLMESSAGE, **values)


def connect_props(**values):
    return props(PacketTypes.CONNECT, **values)


def prop(source, name, default=None):
    """A property of a received message, or of a Properties (e.g. a CONNACK's)."""
    if not isinstance(source, Properties):
        source = getattr(source, "properties", None)
    return getattr(source, name, default) if source is not None else default


class Connack:
    def __init__(self, flags, code, properties):
        self.session_present = bool(flags.get("session present"))
        self.code = code
        self.properties = properties

    def __repr__(self):
        return "Connack(session_present=%s, code=%s, %s)" % (
            self.session_present, self.code, self.properties)


class Peer:
    def __init__(self, port, client_id, version=5, clean_session=True, threaded=True):
        self.port, self.version, self.threaded = port, version, threaded
        protocol = mqtt.MQTTv5 if version == 5 else mqtt.MQTTv311
        session = None if version == 5 else clean_session
        self.client = mqtt.Client(
            client_id=client_id, clean_session=session, protocol=protocol,
            reconnect_on_failure=False)
        self.cond = threading.Condition()
        self.messages, self.subacks, self.unsubacks = [], {}, set()
        self.connack, self.disconnected = None, None
        c = self.client
        c.on_connect = self.on_connect
        c.on_message = self.on_message
        c.on_subscribe = self.on_subscribe
        c.on_unsubscribe = self.on_unsubscribe
        c.on_disconnect = self.on_disconnect

    # paho callbacks, run on the network thread
    def on_connect(self, _c, _u, flags, code, properties=None):
        value = code if isinstance(code, int) else code.value
        self.notify(lambda: setattr(self, "connack", Connack(flags, value, properties)))

    def on_message(self, _c, _u, message):
        self.notify(lambda: self.messages.append(message))

    def on_subscribe(self, _c, _u, mid, granted, _properties=None):
        codes = [g if isinstance(g, int) else g.value for g in granted]
        self.notify(lambda: self.subacks.__setitem__(mid, codes))

    def on_unsubscribe(self, _c, _u, mid, *_rest):
        self.notify(lambda: self.unsubacks.add(mid))

    def on_disconnect(self, _c, _u, code, _properties=None):
        self.notify(lambda: setattr(self, "disconnected", code))

    def notify(self, change):
        with self.cond:
            change()
            self.cond.notify_all()

    def wait(self, predicate, timeout, what):
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                raise CaseFailure("timed out after %ss waiting for %s" % (timeout, what))

    # actions
    def connect(self, clean_start=True, keepalive=60, properties=None, will=None):
        """will: dict(topic=, payload=, qos=, retain=, properties=)."""
        if will:
            self.client.will_set(**will)
        kwargs = {"keepalive": keepalive}
        if self.version == 5:
            kwargs.update(clean_start=clean_start, properties=properties)
        self.connack = self.disconnected = None
        self.client.connect(HOST, self.port, **kwargs)
        if self.threaded:
            self.client.loop_start()
            self.wait(lambda: self.connack or self.disconnected is not None, 5, "CONNACK")
        else:
            deadline = time.time() + 5
            while self.connack is None and time.time() < deadline:
                self.client.loop(0.05)
        check(self.connack is not None, "no CONNACK")
        return self.connack

    def subscribe(self, topic, qos=0, options=None, properties=None):
        """topic: a filter or a list of (filter, qos or SubscribeOptions)."""
        if options is not None:
            topic = [(topic, options)]
        elif isinstance(topic, str) and self.version == 5:
            topic = [(topic, SubscribeOptions(qos=qos))]
        elif isinstance(topic, str):
            topic = [(topic, qos)]
        rc, mid = self.client.subscribe(topic, properties=properties)
        check(rc == mqtt.MQTT_ERR_SUCCESS, "subscribe not sent: rc %s" % rc)
        self.wait(lambda: mid in self.subacks, 5, "SUBACK")
        return self.subacks[mid]

    def unsubscribe(self, topic):
        rc, mid = self.client.unsubscribe(topic)
        check(rc == mqtt.MQTT_ERR_SUCCESS, "unsubscribe not sent: rc %s" % rc)
        self.wait(lambda: mid in self.unsubacks, 5, "UNSUBACK")

    def publish(self, topic, payload, qos=0, retain=False, properties=None, wait=True):
        info = self.client.publish(topic, payload, qos, retain, properties)
        if wait:
            info.wait_for_publish(5)
            check(info.is_published(),
                  "publish to %s (QoS %d) not completed" % (topic, qos))
        return info

    def expect(self, count, timeout=3.0):
        """Waits until `count` messages arrived; returns all of them."""
        self.wait(lambda: len(self.messages) >= count, timeout,
                  "%d messages (have %s)" % (count, self.summary()))
        return list(self.messages)

    def settle(self, seconds=0.5):
        """Returns what arrived after waiting: for 'nothing more came' checks."""
        time.sleep(seconds)
        with self.cond:
            return list(self.messages)

    def clear(self):
        with self.cond:
            self.messages.clear()

    def summary(self):
        with self.cond:
            return [(m.topic, m.payload, m.qos, int(m.retain)) for m in self.messages]

    def disconnect(self, properties=None):
        if self.version == 5:
            self.client.disconnect(properties=properties)
        else:
            self.client.disconnect()
        if self.threaded:
            self.client.loop_stop()

    def kill(self):
        """Drops the TCP connection without DISCONNECT, as a crash would."""
        if self.threaded:
            self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()

    def close(self):
        """Teardown: best effort, whatever state the case left us in."""
        try:
            self.client.loop_stop()
            if self.client.is_connected():
                self.client.disconnect()
            sock = self.client.socket()
            if sock is not None:
                sock.close()
        except Exception:  # noqa: BLE001 - teardown must not mask the case result
            pass
