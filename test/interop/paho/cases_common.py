"""Cases run at both MQTT 3.1.1 and 5.0 (registered as v311_<name> and v5_<name>).

They follow the scenarios of the Paho interoperability suites; the module
docstring of paho_suite.py maps each case to the suite test it stands for.
"""

import socket
import struct
import time

from paho.mqtt.subscribeoptions import SubscribeOptions
from peer import CaseFailure, check, connect_props, prop, publish_props, will_props
from raw_mqtt import CONNACK, SUBACK
from suite import case

USER_PROPS = [("a", "2"), ("c", "3")]
SESSION_300S = [(0x11, struct.pack("!I", 300))]


TOPICS = ("TopicA", "TopicA/B", "Topic/C", "TopicA/C", "/TopicA")
WILD_TOPICS = ("TopicA/+", "+/C", "#", "/#", "/+", "+/+", "TopicA/#")


class Names:
    """The suite's topic names, below the case's own prefix."""

    def __init__(self, ctx):
        t = ctx.topic
        self.topics = [t(s) for s in TOPICS]
        self.wild = [t(s) for s in WILD_TOPICS]


def both_versions(name, broker="plain"):
    def register(function):
        case("v311_" + name, broker)(lambda ctx: function(ctx, 4))
        case("v5_" + name, broker)(lambda ctx: function(ctx, 5))
        return function

    return register


def session_connect(peer, version, clean):
    """Connect with a session that outlives the connection, at either version."""
    if version == 5:
        expiry = connect_props(SessionExpiryInterval=300)
        return peer.connect(clean_start=clean, properties=expiry)
    return peer.connect()


def no_successful_connack(raw, what):
    """The broker must close the connection or refuse with a CONNACK."""
    try:
        reply = raw.read(timeout=3)
    except socket.timeout:
        raise CaseFailure("%s: no reply and connection still open after 3s" % what)
    if reply is not None:
        check(reply.kind == CONNACK, "%s: got %r" % (what, reply))
        check(reply.body[1] != 0, "%s: CONNACK accepted it" % what)


@both_versions("basic")
def basic(ctx, version):
    n = Names(ctx)
    a = ctx.peer("a", version)
    a.connect()
    a.disconnect()
    ack = a.connect()
    check(ack.code == 0, "CONNACK code %s, expected 0 (Success)" % ack.code)
    codes = a.subscribe(n.topics[0], 2)
    check(codes == [2], "SUBACK %s, expected [2]" % codes)
    for qos in range(3):
        a.publish(n.topics[0], b"qos %d" % qos, qos)
    got = a.expect(3)
    check(sorted(m.qos for m in got) == [0, 1, 2], "QoS received %s" % a.summary())
    check(sorted(m.payload for m in got) == [b"qos 0", b"qos 1", b"qos 2"], a.summary())
    a.disconnect()

    # [MQTT-3.1.0-2] a second CONNECT on one connection is a protocol violation
    raw = ctx.raw(version)
    raw.connect(ctx.client_id("raw"))
    ack = raw.connack()
    check(ack is not None and ack[1] == 0, "first CONNACK %s" % (ack,))
    raw.connect(ctx.client_id("raw"))
    check(raw.closed_within(3), "second CONNECT did not close the connection")

    # [MQTT-3.1.2-1] a wrong protocol name must not be accepted
    raw = ctx.raw(version)
    raw.connect(ctx.client_id("hj"), name="hj")
    no_successful_connack(raw, "protocol name 'hj'")


@both_versions("retained_message")
def retained_message(ctx, version):
    n = Names(ctx)
    properties = publish_props(UserProperty=USER_PROPS) if version == 5 else None
    a = ctx.peer("a", version)
    a.connect()
    for qos, topic in enumerate(n.topics[1:4]):
        a.publish(topic, b"qos %d" % qos, qos, retain=True, properties=properties)
    a.subscribe(n.wild[5], 2)
    got = a.expect(3)
    got = a.settle(0.3)
    check(len(got) == 3, "expected 3 retained messages, got %s" % a.summary())
    check(all(m.retain for m in got), "retain flag missing: %s" % a.summary())
    check(sorted(m.qos for m in got) == [0, 1, 2], "QoS %s" % a.summary())
    if version == 5:
        for m in got:
            # [MQTT-3.3.2-18] user properties forwarded unaltered, in order
            check(prop(m, "UserProperty") == USER_PROPS,
                  "user properties %s on %s" % (prop(m, "UserProperty"), m.topic))
    a.disconnect()

    # An empty retained payload removes the retained message: [MQTT-3.3.1-10]
    # in 3.1.1, [MQTT-3.3.1-6] in 5.0
    a.clear()
    a.connect()
    for qos, topic in enumerate(n.topics[1:4]):
        a.publish(topic, b"", qos, retain=True)
    a.subscribe(n.wild[5], 2)
    got = a.settle(0.5)
    check(got == [], "retained messages not cleared: %s" % a.summary())
    a.disconnect()


@both_versions("offline_message_queueing")
def offline_message_queueing(ctx, version):
    n = Names(ctx)
    a = ctx.peer("a", version, clean_session=False)
    session_connect(a, version, True)
    a.subscribe(n.wild[5], 2)
    a.disconnect()

    b = ctx.peer("b", version)
    b.connect()
    for qos, topic in enumerate(n.topics[1:4]):
        b.publish(topic, b"qos %d" % qos, qos)
    b.disconnect()

    a = ctx.peer("a", version, clean_session=False)
    ack = session_connect(a, version, False)
    check(ack.session_present, "session not present on reconnect: %s" % ack)
    a.expect(2)
    got = a.settle(0.5)
    payloads = sorted(m.payload for m in got)
    check(len(got) in (2, 3), "expected 2 or 3 queued messages, got %s" % a.summary())
    check(b"qos 1" in payloads and b"qos 2" in payloads, "QoS 1/2 lost: %s" % a.summary())
    ctx.note("QoS 0 messages %s queued for offline clients"
             % ("are" if len(got) == 3 else "are not"))
    a.disconnect()


@both_versions("will_message")
def will_message(ctx, version):
    n = Names(ctx)
    b = ctx.peer("b", version)
    b.connect()
    b.subscribe(n.topics[2], 2)
    will = {"topic": n.topics[2], "payload": b"client not disconnected", "qos": 1}
    if version == 5:
        will["properties"] = will_props(UserProperty=USER_PROPS)
    a = ctx.peer("a", version, threaded=False)
    a.connect(will=will)
    a.kill()
    got = b.expect(1)
    check(got[0].topic == n.topics[2] and got[0].payload == b"client not disconnected",
          "will received as %s" % b.summary())
    if version == 5:
        check(prop(got[0], "UserProperty") == USER_PROPS,
              "will user properties %s" % prop(got[0], "UserProperty"))
    b.disconnect()


@both_versions("zero_length_clientid")
def zero_length_clientid(ctx, version):
    raw = ctx.raw(version)
    raw.connect("", clean=False)
    ack = raw.connack()
    if version == 4:
        # [MQTT-3.1.3-8] 3.1.1: empty id with CleanSession 0 -> 0x02 and close
        check(ack is not None and ack[1] == 2,
              "expected CONNACK 2 (identifier rejected), got %s" % (ack,))
        check(raw.closed_within(3), "connection left open after refusal")
    else:
        # 5.0 lets the server accept it and assign an identifier
        check(ack is not None and ack[1] == 0, "clean start 0 refused: %s" % (ack,))
        raw.disconnect()
    a = ctx.peer(None, version, client_id="")
    ack = a.connect()
    check(ack.code == 0, "empty client id with a clean session refused: %s" % ack)
    a.disconnect()


@both_versions("overlapping_subscriptions")
def overlapping_subscriptions(ctx, version):
    n = Names(ctx)
    a = ctx.peer("a", version)
    a.connect()
    if version == 5:
        options = [SubscribeOptions(qos=2), SubscribeOptions(qos=1)]
        codes = a.subscribe([(n.wild[6], options[0]), (n.wild[0], options[1])])
    else:
        codes = a.subscribe([(n.wild[6], 2), (n.wild[0], 1)])
    check(codes == [2, 1], "SUBACK %s" % codes)
    a.publish(n.topics[3], b"overlapping topic filters", 2)
    a.expect(1)
    got = a.settle(0.7)
    qos = sorted(m.qos for m in got)
    check(qos in ([2], [1, 2]), "expected one copy at QoS 2 or copies at 1 and 2: %s"
          % a.summary())
    ctx.note("%d copies for overlapping subscriptions" % len(got))
    a.disconnect()


@both_versions("keepalive")
def keepalive(ctx, version):
    n = Names(ctx)
    b = ctx.peer("b", version)
    b.connect(keepalive=0)
    b.subscribe(n.topics[4], 2)
    a = ctx.peer("a", version, threaded=False)
    will = {"topic": n.topics[4], "payload": b"keepalive expiry"}
    a.connect(keepalive=2, will=will)
    start = time.monotonic()
    # Silent from now on: no PINGREQ. The server must close the connection
    # once 1.5 x keepalive (3 s) passes without a packet: [MQTT-3.1.2-24] in
    # 3.1.1, [MQTT-3.1.2-22] in 5.0.
    got = b.expect(1, timeout=10)
    took = time.monotonic() - start
    check(got[0].payload == b"keepalive expiry", "got %s" % b.summary())
    # Mosquitto 2.0.11 is late (about 5.4 s), hence the generous upper bound.
    check(2.4 <= took <= 8, "will after %.2fs; expected 3s (1.5 x 2s) or more" % took)
    ctx.note("will after %.2fs" % took)
    b.disconnect()


@both_versions("redelivery_on_reconnect")
def redelivery_on_reconnect(ctx, version):
    n = Names(ctx)
    ident = ctx.client_id("b")
    raw = ctx.raw(version)
    raw.connect(ident, clean=False, props=SESSION_300S)
    check(raw.connack()[1] == 0, "CONNACK refused")
    raw.subscribe(1, n.wild[6], 2)
    check(raw.read().kind == SUBACK, "no SUBACK")
    a = ctx.peer("a", version)
    a.connect()
    a.publish(n.topics[1], b"qos 1", 1)
    a.publish(n.topics[3], b"qos 2", 2)
    # Receive both but acknowledge neither, then go away.
    qos = sorted((raw.read().flags >> 1) & 3 for _ in range(2))
    check(qos == [1, 2], "first delivery QoS %s" % qos)
    raw.disconnect()

    b = ctx.peer("b", version, clean_session=False)
    ack = session_connect(b, version, False)
    check(ack.session_present, "session not present: %s" % ack)
    got = b.expect(2)
    got = b.settle(0.3)
    check(sorted(m.payload for m in got) == [b"qos 1", b"qos 2"], "got %s" % b.summary())
    # [MQTT-4.4.0-1] resent with the DUP flag set [MQTT-3.3.1-1]
    check(all(m.dup for m in got), "DUP flag not set on redelivery")
    b.disconnect()


@both_versions("subscribe_failure", broker="acl")
def subscribe_failure(ctx, version):
    # The ACL broker lets anonymous clients publish to nosubscribe/# but not
    # read it. Mosquitto 2.0's acl_file never refuses a SUBSCRIBE (it grants
    # it and withholds the messages at delivery), so a refusal code (0x80 in
    # 3.1.1, 0x87 Not authorized in 5.0) and a grant both pass; a denied
    # message reaching the subscriber does not.
    port = ctx.ports["acl"]
    denied, allowed = "nosubscribe/" + ctx.token, ctx.topic("allowed")
    a = ctx.peer("a", version, port=port)
    a.connect()
    codes = a.subscribe(denied, 2)
    refusal = 0x80 if version == 4 else 0x87
    check(codes in ([2], [refusal]),
          "SUBACK %s, expected [2] or [0x%02x]" % (codes, refusal))
    check(a.subscribe(allowed, 2) == [2], "control subscription refused")
    b = ctx.peer("b", version, port=port)
    b.connect()
    b.publish(denied, b"denied", 1)
    b.publish(allowed, b"control", 1)
    a.wait(lambda: any(m.topic == allowed for m in a.messages), 3, "control message")
    got = a.settle(0.3)
    check(not any(m.topic == denied for m in got), "read-denied message delivered")
    ctx.note("SUBACK %s for a read-denied filter" % codes)
    a.disconnect()
    b.disconnect()


@both_versions("dollar_topics")
def dollar_topics(ctx, version):
    name = ctx.token.replace("/", "-")
    dollar, plain = "$%s/B" % name, "%s/B" % name
    b = ctx.peer("b", version)
    b.connect()
    b.subscribe("+/+", 1)
    b.subscribe("#", 1)
    b.publish(dollar, b"dollar", 1)
    b.publish(plain, b"control", 1)
    b.wait(lambda: any(m.topic == plain for m in b.messages), 3, "control message")
    got = b.settle(0.3)
    # [MQTT-4.7.2-1] wildcards at the first level do not match $ topics
    check(not any(m.topic == dollar for m in got), "'+/+' or '#' matched %s" % dollar)
    b.subscribe("$%s/#" % name, 1)
    b.publish(dollar, b"dollar", 1)
    b.wait(lambda: any(m.topic == dollar for m in b.messages), 3,
           "%s through an explicit $ filter" % dollar)
    b.disconnect()


@both_versions("unsubscribe")
def unsubscribe(ctx, version):
    n = Names(ctx)
    b = ctx.peer("b", version)
    b.connect()
    for topic in n.topics[0:3]:
        b.subscribe(topic, 2)
    b.unsubscribe(n.topics[0])
    a = ctx.peer("a", version)
    a.connect()
    for i, topic in enumerate(n.topics[0:3]):
        a.publish(topic, b"topic %d" % i, 1)
    b.expect(2)
    got = b.settle(0.5)
    check(sorted(m.topic for m in got) == sorted(n.topics[1:3]), "got %s" % b.summary())
    a.disconnect()
    b.disconnect()
