"""Cases for what MQTT 5.0 added: sessions that expire, properties, flow
control, aliases, subscription options, shared subscriptions."""

import socket
import struct
import time

from paho.mqtt.subscribeoptions import SubscribeOptions
from peer import (
    CaseFailure,
    check,
    poll,
    connect_props,
    prop,
    props,
    publish_props,
    will_props,
)
from paho.mqtt.packettypes import PacketTypes
from raw_mqtt import (
    DISCONNECT,
    MAXIMUM_PACKET_SIZE,
    PUBACK,
    PUBLISH,
    PUBREC,
    RECEIVE_MAXIMUM,
    SUBACK,
    TOPIC_ALIAS,
)
from suite import case, elapsed_since

USER_PROPS = [("a", "2"), ("c", "3")]

# Reason codes by name (MQTT 5.0 section 2.4).
MALFORMED_PACKET = 0x81
PROTOCOL_ERROR = 0x82
RECEIVE_MAXIMUM_EXCEEDED = 0x93
QUOTA_EXCEEDED = 0x97
TOPIC_ALIAS_INVALID = 0x94
PACKET_TOO_LARGE = 0x95


def expect_disconnect(raw, reasons, what):
    """Reads until the broker's DISCONNECT; checks its reason code is one of
    `reasons` and returns it."""
    packets = []
    try:
        while True:
            packet = raw.read(timeout=3)
            if packet is None:
                raise CaseFailure("%s: connection closed without DISCONNECT %s"
                                  % (what, packets))
            if packet.kind == DISCONNECT:
                code = reason_code(packet)
                check(code in reasons, "%s: DISCONNECT 0x%02x, expected %s"
                      % (what, code, " or ".join("0x%02x" % r for r in reasons)))
                return code
            packets.append(packet)
    except socket.timeout:
        raise CaseFailure("%s: no DISCONNECT within 3s (got %s)" % (what, packets))


def reason_code(packet):
    """Of a DISCONNECT or an acknowledgement; absent means Success."""
    offset = 0 if packet.kind == DISCONNECT else 2
    return packet.body[offset] if len(packet.body) > offset else 0


def four(value):
    return struct.pack("!I", value)


def two(value):
    return struct.pack("!H", value)


@case("v5_session_expiry")
def session_expiry(ctx):
    topic = ctx.topic("TopicA")

    def session(expiry, clean):
        a = ctx.peer("a")
        properties = connect_props(SessionExpiryInterval=expiry)
        ack = a.connect(clean_start=clean, properties=properties)
        check(ack.code == 0, "CONNACK %s" % ack)
        return a, ack.session_present

    a, present = session(0, True)
    a.subscribe(topic, 2)
    a.disconnect()
    a, present = session(0, False)
    check(not present, "session with expiry 0 outlived its connection")
    a.disconnect()

    a, _ = session(2, True)
    a.subscribe(topic, 2)
    a.disconnect()
    time.sleep(0.5)
    a, present = session(2, False)
    check(present, "session with expiry 2s gone after 0.5s")
    a.disconnect()
    time.sleep(3.5)
    a, present = session(2, False)
    check(not present, "session with expiry 2s still present after 3.5s")
    a.disconnect()

    # The DISCONNECT may change the expiry the CONNECT set (when that was not 0).
    a, _ = session(1, True)
    a.subscribe(topic, 2)
    a.disconnect(props(PacketTypes.DISCONNECT, SessionExpiryInterval=5))
    time.sleep(1.5)
    a, present = session(1, False)
    check(present, "DISCONNECT's expiry 5s ignored: session gone after 1.5s")
    a.disconnect(props(PacketTypes.DISCONNECT, SessionExpiryInterval=0))
    time.sleep(0.2)
    a, present = session(1, False)
    check(not present, "DISCONNECT's expiry 0 ignored: session still present")
    a.disconnect()


def three_qos(ctx, properties):
    a = ctx.peer("a")
    a.connect()
    topic = ctx.topic("TopicA")
    a.subscribe(topic, 2)
    for qos in range(3):
        a.publish(topic, b"", qos, properties=properties)
    got = a.expect(3)
    a.disconnect()
    check(sorted(m.qos for m in got) == [0, 1, 2], "QoS %s" % a.summary())
    return got


@case("v5_user_properties")
def user_properties(ctx):
    for m in three_qos(ctx, publish_props(UserProperty=USER_PROPS)):
        # [MQTT-3.3.2-17] forwarded unaltered, [MQTT-3.3.2-18] in order
        check(prop(m, "UserProperty") == USER_PROPS,
              "QoS %d user properties %s" % (m.qos, prop(m, "UserProperty")))


@case("v5_payload_format")
def payload_format(ctx):
    properties = publish_props(PayloadFormatIndicator=1, ContentType="My name")
    for m in three_qos(ctx, properties):
        # [MQTT-3.3.2-4] payload format and [MQTT-3.3.2-20] content type forwarded
        check(prop(m, "PayloadFormatIndicator") == 1, "QoS %d payload format %s"
              % (m.qos, prop(m, "PayloadFormatIndicator")))
        check(prop(m, "ContentType") == "My name",
              "QoS %d content type %s" % (m.qos, prop(m, "ContentType")))


@case("v5_message_expiry")
def message_expiry(ctx):
    topic = ctx.topic("TopicA")
    b = ctx.peer("b")
    b.connect(properties=connect_props(SessionExpiryInterval=300))
    b.subscribe(topic, 2)
    b.disconnect()
    a = ctx.peer("a")
    a.connect()
    for qos in (1, 2):
        a.publish(topic, b"qos %d expire" % qos, qos,
                  properties=publish_props(MessageExpiryInterval=1))
    for qos in (1, 2):
        a.publish(topic, b"qos %d keep" % qos, qos,
                  properties=publish_props(MessageExpiryInterval=60))
    a.disconnect()
    time.sleep(2.2)
    b = ctx.peer("b")
    b.connect(clean_start=False, properties=connect_props(SessionExpiryInterval=300))
    b.expect(2)
    got = b.settle(0.5)
    # [MQTT-3.3.2-5] expired messages are not delivered
    check(sorted(m.payload for m in got) == [b"qos 1 keep", b"qos 2 keep"],
          "got %s" % b.summary())
    for m in got:
        # [MQTT-3.3.2-6] the interval sent on is what remains of it
        left = prop(m, "MessageExpiryInterval")
        check(left is not None and left <= 58, "remaining expiry %s after 2.2s" % left)
    b.disconnect()


@case("v5_subscribe_no_local")
def subscribe_no_local(ctx):
    topic = ctx.topic("TopicA")
    a, b = ctx.peer("a"), ctx.peer("b")
    a.connect()
    b.connect()
    a.subscribe(topic, options=SubscribeOptions(qos=2, noLocal=True))
    b.subscribe(topic, options=SubscribeOptions(qos=2, noLocal=True))
    a.publish(topic, b"noLocal test", 1)
    b.expect(1)
    # [MQTT-3.8.3-3] not sent back to the connection that published it
    check(a.settle(0.5) == [], "no local ignored: %s" % a.summary())
    check(len(b.settle(0)) == 1, "other subscriber got %s" % b.summary())


@case("v5_subscribe_retain_as_published")
def subscribe_retain_as_published(ctx):
    topic = ctx.topic("TopicA")
    a = ctx.peer("a")
    a.connect()
    a.subscribe(topic, options=SubscribeOptions(qos=2, retainAsPublished=True))
    a.publish(topic, b"retain as published false", 1)
    a.publish(topic, b"retain as published true", 1, retain=True)
    got = a.expect(2)
    # [MQTT-3.3.1-13] the retain flag is kept as the publisher set it
    flags = {m.payload: bool(m.retain) for m in got}
    expected = {b"retain as published false": False, b"retain as published true": True}
    check(flags == expected, "retain flags %s" % flags)
    a.publish(topic, b"", 0, retain=True)


@case("v5_subscribe_retain_handling")
def subscribe_retain_handling(ctx):
    topics = [ctx.topic(t) for t in ("TopicA/B", "Topic/C", "TopicA/C")]
    wild = ctx.topic("+/+")
    a = ctx.peer("a")
    a.connect()
    for qos, topic in enumerate(topics):
        a.publish(topic, b"qos %d" % qos, qos, retain=True)

    def subscribe_count(handling, settle=0.5):
        a.clear()
        a.subscribe(wild, options=SubscribeOptions(qos=2, retainHandling=handling))
        return len(a.settle(settle))

    # [MQTT-3.3.1-10] 1: only for a new subscription
    check(subscribe_count(1) == 3, "handling 1, new: %s" % a.summary())
    check(subscribe_count(1) == 0, "handling 1, existing: %s" % a.summary())
    a.disconnect()
    a.connect()
    # [MQTT-3.3.1-11] 2: never
    check(subscribe_count(2) == 0, "handling 2, new: %s" % a.summary())
    check(subscribe_count(2) == 0, "handling 2, existing: %s" % a.summary())
    a.disconnect()
    a.connect()
    # [MQTT-3.3.1-9] 0: on every subscribe
    check(subscribe_count(0) == 3, "handling 0, new: %s" % a.summary())
    check(subscribe_count(0) == 3, "handling 0, existing: %s" % a.summary())
    for topic in topics:
        a.publish(topic, b"", 0, retain=True)
    a.disconnect()


@case("v5_assigned_clientid")
def assigned_clientid(ctx):
    a = ctx.peer(None, client_id="")
    ack = a.connect()
    a.disconnect()
    # [MQTT-3.2.2-16] the server returns the identifier it assigned
    assigned = prop(ack.properties, "AssignedClientIdentifier")
    check(assigned, "no Assigned Client Identifier in %s" % ack)


@case("v5_subscription_identifiers")
def subscription_identifiers(ctx):
    topic = ctx.topic("TopicA")
    a, b = ctx.peer("a"), ctx.peer("b")
    a.connect()
    b.connect()
    sub = PacketTypes.SUBSCRIBE
    a.subscribe(topic, 2, properties=props(sub, SubscriptionIdentifier=456789))
    b.subscribe(topic, 2, properties=props(sub, SubscriptionIdentifier=2))
    b.subscribe(topic + "/#", 2, properties=props(sub, SubscriptionIdentifier=3))
    b.publish(topic, b"sub identifier test", 1)
    got = a.expect(1)
    check(prop(got[0], "SubscriptionIdentifier") == [456789],
          "identifiers %s" % prop(got[0], "SubscriptionIdentifier"))
    b.expect(1)
    got = b.settle(0.3)
    # [MQTT-3.3.4-4] one copy carries both identifiers, [MQTT-3.3.4-5] or a copy each
    ids = sorted(i for m in got for i in prop(m, "SubscriptionIdentifier", []))
    check(ids == [2, 3], "identifiers %s over %d copies" % (ids, len(got)))
    ctx.note("%d copies for two matching subscriptions" % len(got))


@case("v5_request_response")
def request_response(ctx):
    topic = ctx.topic("TopicA")
    a, b = ctx.peer("a"), ctx.peer("b")
    a.connect()
    b.connect()
    a.subscribe(topic, options=SubscribeOptions(qos=2, noLocal=True))
    b.subscribe(topic, options=SubscribeOptions(qos=2, noLocal=True))
    request = publish_props(ResponseTopic=topic, CorrelationData=b"334")
    a.publish(topic, b"request", 1, properties=request)
    got = b.expect(1)[0]
    # [MQTT-3.3.2-15] response topic and [MQTT-3.3.2-16] correlation data unaltered
    check(prop(got, "ResponseTopic") == topic,
          "response topic %s" % prop(got, "ResponseTopic"))
    check(prop(got, "CorrelationData") == b"334",
          "correlation data %r" % prop(got, "CorrelationData"))
    reply = publish_props(CorrelationData=prop(got, "CorrelationData"))
    b.publish(prop(got, "ResponseTopic"), b"response", 1, properties=reply)
    answer = a.expect(1)[0]
    check(answer.payload == b"response" and prop(answer, "CorrelationData") == b"334",
          "response %s %r" % (answer.payload, prop(answer, "CorrelationData")))


@case("v5_client_topic_alias")
def client_topic_alias(ctx):
    topic = ctx.topic("TopicA")
    ident = ctx.client_id("a")
    raw = ctx.raw()
    raw.connect(ctx.client_id("zero"))
    raw.connack()
    raw.publish(topic, b"topic alias 0", 1, 1, [(TOPIC_ALIAS, two(0))])
    # [MQTT-3.3.2-8] alias 0 is never valid. The spec names no one reason code
    # for it; Mosquitto says Malformed Packet.
    code = expect_disconnect(raw, (MALFORMED_PACKET, PROTOCOL_ERROR, TOPIC_ALIAS_INVALID),
                             "alias 0")
    ctx.note("alias 0 refused with DISCONNECT 0x%02x" % code)

    a = ctx.peer("a")
    properties = connect_props(TopicAliasMaximum=0, SessionExpiryInterval=300)
    ack = a.connect(properties=properties)
    maximum = prop(ack.properties, "TopicAliasMaximum", 0)
    check(maximum >= 1, "broker accepts no topic aliases (maximum %s)" % maximum)
    a.subscribe(topic, 2)
    a.publish(topic, b"topic alias 1", 1, properties=publish_props(TopicAlias=1))
    a.publish("", b"topic alias 2", 1, properties=publish_props(TopicAlias=1))
    got = a.expect(2)
    # The subscriber allows no aliases, so it must see the full topic name.
    check([m.topic for m in got] == [topic, topic], "received on %s" % a.summary())
    a.disconnect()

    # [MQTT-3.3.2-7] aliases belong to one network connection
    raw = ctx.raw()
    raw.connect(ident, clean=False, props=[(0x11, four(300))])
    check(raw.connack()[0], "session lost")
    raw.publish(topic, b"topic alias 3", 1, 1)
    kinds = sorted(raw.read().kind for _ in range(2))
    check(kinds == [PUBLISH, PUBACK], "after plain publish got %s" % kinds)
    raw.publish("", b"topic alias 4", 1, 2, [(TOPIC_ALIAS, two(1))])
    expect_disconnect(raw, (PROTOCOL_ERROR,), "alias 1 unknown on this connection")


def received_aliases(ctx, connect_properties):
    a = ctx.peer("a")
    a.connect(properties=connect_properties)
    topic = ctx.topic("TopicA")
    a.subscribe(topic, 2)
    for qos in range(3):
        a.publish(topic, b"topic alias %d" % qos, qos)
    got = a.expect(3)
    a.disconnect()
    return topic, [(m.topic, prop(m, "TopicAlias")) for m in got]


@case("v5_server_topic_alias")
def server_topic_alias(ctx):
    topic, seen = received_aliases(ctx, connect_props(TopicAliasMaximum=1))
    aliases = [alias for _, alias in seen if alias is not None]
    if not aliases:
        ctx.note("broker sends no topic aliases to clients that allow them")
    else:
        # [MQTT-3.1.2-26] within the client's maximum; the first use names the topic
        check(set(aliases) == {1}, "aliases %s beyond maximum 1" % aliases)
        check(seen[0] == (topic, 1), "first use of the alias %s" % (seen[0],))
        check(all(t in ("", topic) for t, _ in seen), "topics %s" % seen)
    for properties in (connect_props(), connect_props(TopicAliasMaximum=0)):
        topic, seen = received_aliases(ctx, properties)
        # [MQTT-3.1.2-27] no aliases to a client that allows none
        check(all(alias is None for _, alias in seen), "aliases sent: %s" % seen)
        check(all(t == topic for t, _ in seen), "topics %s" % seen)


@case("v5_maximum_packet_size_server", broker="limits")
def maximum_packet_size_server(ctx):
    raw = ctx.raw(port=ctx.ports["limits"])
    raw.connect(ctx.client_id("a"))
    ack = raw.connack()
    limit = ack[2].get(MAXIMUM_PACKET_SIZE)
    check(limit == 1000, "CONNACK Maximum Packet Size %s, configured 1000" % limit)
    raw.publish(ctx.topic("TopicA"), b"." * limit, 0)
    # 3.2.2.3.6: a bigger packet is a protocol error: DISCONNECT Packet too large
    expect_disconnect(raw, (PACKET_TOO_LARGE,), "publish over the maximum")


@case("v5_maximum_packet_size_client")
def maximum_packet_size_client(ctx):
    a = ctx.peer("a")
    a.connect(properties=connect_props(MaximumPacketSize=64))
    # A short topic, so that a 32-byte payload fits in 64 bytes and 64 do not.
    topic = "m/%s" % ctx.run_id
    a.subscribe(topic, 2)
    a.publish(topic, b"." * 32, 0)
    a.expect(1)
    a.publish(topic, b"." * 64, 1)
    a.publish(topic, b"small again", 1)
    a.expect(2)
    got = a.settle(0.3)
    # [MQTT-3.1.2-25] packets over the client's maximum are dropped, not sent
    check([len(m.payload) for m in got] == [32, 11], "received %s" % a.summary())
    check(a.client.is_connected(), "connection lost")
    a.disconnect()


@case("v5_server_keep_alive", broker="limits")
def server_keep_alive(ctx):
    a = ctx.peer("a", port=ctx.ports["limits"])
    ack = a.connect(keepalive=120)
    # [MQTT-3.2.2-21] the server tells the client the keepalive to use
    value = prop(ack.properties, "ServerKeepAlive")
    check(value == 60, "Server Keep Alive %s, expected 60 (max_keepalive)" % value)
    a.disconnect()


@case("v5_flow_control_client")
def flow_control_client(ctx):
    topic = ctx.topic("TopicA")
    raw = ctx.raw()
    raw.connect(ctx.client_id("r"), props=[(RECEIVE_MAXIMUM, two(2))])
    raw.connack()
    raw.subscribe(1, topic, 1)
    check(raw.read().kind == SUBACK, "no SUBACK")
    a = ctx.peer("a")
    a.connect()
    for i in range(3):
        a.publish(topic, b"message %d" % i, 1)
    first = [raw.parse_publish(raw.read(timeout=3)) for _ in range(2)]
    # [MQTT-3.3.4-9] no more unacknowledged QoS 1/2 than the client's maximum
    try:
        extra = raw.read(timeout=0.7)
        raise CaseFailure("third PUBLISH before any PUBACK: %r" % extra)
    except socket.timeout:
        pass
    raw.ack(PUBACK, first[0][1])
    third = raw.parse_publish(raw.read(timeout=3))
    payloads = [p[3] for p in first] + [third[3]]
    check(payloads == [b"message 0", b"message 1", b"message 2"], "order %s" % payloads)
    raw.ack(PUBACK, first[1][1])
    raw.ack(PUBACK, third[1])
    raw.disconnect()


@case("v5_flow_control_server", broker="limits")
def flow_control_server(ctx):
    raw = ctx.raw(port=ctx.ports["limits"])
    raw.connect(ctx.client_id("a"))
    maximum = raw.connack()[2].get(RECEIVE_MAXIMUM, 65535)
    check(maximum == 5, "CONNACK Receive Maximum %s, configured 5" % maximum)
    # QoS 2 publishes stay in flight until PUBREL/PUBCOMP, which never come.
    for i in range(maximum + 1):
        raw.publish(ctx.topic("TopicA"), b"message %d" % i, 2, i + 1)
    answers = []
    try:
        while len(answers) <= maximum:
            packet = raw.read(timeout=3)
            check(packet is not None, "closed without DISCONNECT after %s" % answers)
            answers.append((packet.kind, reason_code(packet)))
            if packet.kind == DISCONNECT:
                break
    except socket.timeout:
        raise CaseFailure("no answer to publish %d; got %s" % (len(answers) + 1, answers))
    check(answers[:maximum] == [(PUBREC, 0)] * maximum, "answers %s" % answers)
    # 3.3.4: one over the server's maximum gets DISCONNECT Receive Maximum
    # exceeded; Mosquitto 2.0.11 refuses just that message (PUBREC Quota exceeded).
    last = answers[maximum] if len(answers) > maximum else None
    check(last in ((DISCONNECT, RECEIVE_MAXIMUM_EXCEEDED), (PUBREC, QUOTA_EXCEEDED)),
          "publish %d over the maximum answered with %s" % (maximum + 1, last))
    ctx.note("excess publish answered with %s 0x%02x"
             % ("DISCONNECT" if last[0] == DISCONNECT else "PUBREC", last[1]))


def will_delay_case(ctx, delay, expiry, low, high):
    topic = ctx.topic("TopicA")
    b = ctx.peer("b")
    b.connect()
    b.subscribe(topic, 2)
    a = ctx.peer("a", threaded=False)
    will = {"topic": topic, "payload": b"will message",
            "properties": will_props(WillDelayInterval=delay)}
    a.connect(properties=connect_props(SessionExpiryInterval=expiry), will=will)
    a.kill()
    start = time.monotonic()
    got = b.expect(1, timeout=high + 1)
    took = elapsed_since(start)
    check(got[0].payload == b"will message", "got %s" % b.summary())
    check(low <= took <= high, "will after %ss, expected %s..%ss" % (took, low, high))
    ctx.note("will after %ss" % took)
    b.disconnect()


@case("v5_will_delay")
def will_delay(ctx):
    # [MQTT-3.1.2-8] sent when the delay passes, the session living longer
    will_delay_case(ctx, delay=2, expiry=10, low=1.5, high=4)


@case("v5_will_delay_session_ends")
def will_delay_session_ends(ctx):
    # [MQTT-3.1.2-8] ...or when the session ends first, whichever is earlier
    will_delay_case(ctx, delay=5, expiry=2, low=1.5, high=4)


@case("v5_will_delay_no_session")
def will_delay_no_session(ctx):
    will_delay_case(ctx, delay=5, expiry=0, low=0, high=1.5)


@case("v5_shared_subscriptions")
def shared_subscriptions(ctx):
    shared = ctx.topic("x")
    topic = ctx.topic("TopicA")
    a, b = ctx.peer("a"), ctx.peer("b")
    for peer in (a, b):
        peer.connect()
        peer.subscribe([("$share/sharename/" + shared, SubscribeOptions(qos=2)),
                        (topic, SubscribeOptions(qos=2))])
    b.publish(topic, b"to both", 0)
    a.expect(1)
    b.expect(1)
    a.clear()
    b.clear()
    count = 10
    for i in range(count):
        b.publish(shared, b"message %d" % i, 1)
    poll(lambda: len(a.messages) + len(b.messages) >= count, 3, "%d messages" % count)
    time.sleep(0.3)
    got = a.summary() + b.summary()
    # 4.8.2: each message goes to one member of the group only
    expected = sorted(b"message %d" % i for i in range(count))
    check(sorted(p for _, p, _, _ in got) == expected, "shared messages %s" % got)
    check(a.messages and b.messages, "not spread: a got %d, b got %d"
          % (len(a.messages), len(b.messages)))
