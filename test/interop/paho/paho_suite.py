#!/usr/bin/env python3
"""Interoperability cases for an MQTT broker, driven by Debian's paho-mqtt 1.6.

Written for midge from the list of scenarios that the Eclipse Paho
interoperability suites check (paho.mqtt.testing, interoperability/
client_test.py for 3.1.1 and client_test5.py for 5.0); no code of theirs is
used. Each case below stands for one test of those suites:

  v311_<case> (client_test.py)        v5_<case> (client_test5.py)
  -------------------------------------------------------------------------
  basic                     basic_test / test_basic
  retained_message          retained_message_test / test_retained_message
  offline_message_queueing  offline_message_queueing_test / test_offline_...
  will_message              will_message_test / test_will_message
  zero_length_clientid      zero_length_clientid_test / test_zero_length_...
  overlapping_subscriptions overlapping_subscriptions_test / test_overlapping_...
  keepalive                 keepalive_test / test_keepalive
  redelivery_on_reconnect   redelivery_on_reconnect_test / test_redelivery_...
  subscribe_failure         subscribe_failure_test / test_subscribe_failure
  dollar_topics             dollar_topics_test / test_dollar_topics
  unsubscribe               (client_test5 only) test_unsubscribe

  5.0 only (client_test5.py):
  v5_session_expiry                 test_session_expiry
  v5_user_properties                test_user_properties
  v5_payload_format                 test_payload_format
  v5_message_expiry                 test_publication_expiry
  v5_subscribe_no_local             test_subscribe_options (noLocal)
  v5_subscribe_retain_as_published  test_subscribe_options (retainAsPublished)
  v5_subscribe_retain_handling      test_subscribe_options (retainHandling)
  v5_assigned_clientid              test_assigned_clientid
  v5_subscription_identifiers       test_subscribe_identifiers
  v5_request_response               test_request_response
  v5_client_topic_alias             test_client_topic_alias
  v5_server_topic_alias             test_server_topic_alias
  v5_maximum_packet_size_server     test_maximum_packet_size (server limit)
  v5_maximum_packet_size_client     test_maximum_packet_size (client limit)
  v5_server_keep_alive              test_server_keep_alive
  v5_flow_control_client            test_flow_control1
  v5_flow_control_server            test_flow_control2
  v5_will_delay                     test_will_delay (delay < session expiry)
  v5_will_delay_session_ends        test_will_delay (session expiry < delay)
  v5_will_delay_no_session          test_will_delay (session expiry 0)
  v5_shared_subscriptions           test_shared_subscriptions

Differences from the suites, on purpose: every case runs on its own topics
and client ids, all cases at once, so the whole run takes seconds; the
suites' fixed waits (15 s keepalive, 5-6 s expiries) are scaled down.
subscribe_failure runs on a second broker (--acl-port) whose ACL file lets
clients publish to nosubscribe/# but not read it; Mosquitto 2.0's acl_file
never refuses a SUBSCRIBE, so the case accepts a refusal code or a grant and
fails only if a read-denied message is delivered. The server-side limits
are read from a third broker configured with max_packet_size 1000,
max_keepalive 60 and max_inflight_messages 5 (--limits-port). The server
topic alias case accepts a broker that sends no aliases (Mosquitto sends
none) but checks any it does. Where the specification leaves a choice that
Mosquitto makes differently from the suites (reason code for topic alias 0,
PUBREC Quota exceeded instead of DISCONNECT for too many QoS 2 in flight),
both answers pass and a NOTE says which one the broker gave.

Output: one line per case, `PASS name` or `FAIL name: why`, in the order
above, plus `NOTE name: text` lines for what a case observed. Exit status 0
when every case passed, 1 otherwise.

Usage: paho_suite.py --port P [--acl-port P2] [--limits-port P3] [--only TEXT]
(a case whose broker has no port fails, saying so)
"""

import argparse
import sys
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

# Keep the source tree free of __pycache__ folders.
sys.dont_write_bytecode = True

import cases_common  # noqa: E402,F401 - registers the cases
import cases_v5  # noqa: E402,F401 - registers the cases
from peer import CaseFailure  # noqa: E402
from suite import CASES, Ctx  # noqa: E402


def run_case(name, broker, function, ports, run_id):
    if ports.get(broker) is None:
        why = "no %s broker to run against (it did not start)" % broker
        return "FAIL %s: %s" % (name, why), []
    ctx = Ctx(name, ports, run_id)
    try:
        function(ctx)
        result = "PASS %s" % name
    except CaseFailure as failure:
        result = "FAIL %s: %s" % (name, failure)
    except Exception as error:  # noqa: BLE001 - reported as the case's failure
        where = traceback.extract_tb(error.__traceback__)[-1]
        place = "%s:%d" % (where.filename.split("/")[-1], where.lineno)
        result = "FAIL %s: %s: %s (%s)" % (name, type(error).__name__, error, place)
    finally:
        ctx.close()
    return result, ["NOTE %s: %s" % (name, note) for note in ctx.notes]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--acl-port", type=int)
    parser.add_argument("--limits-port", type=int)
    parser.add_argument("--only", action="append", default=[],
                        help="run only cases whose name contains this text")
    args = parser.parse_args()
    ports = {"plain": args.port, "acl": args.acl_port, "limits": args.limits_port}
    run_id = uuid.uuid4().hex[:6]
    chosen = [(name, broker, fn) for name, broker, fn in CASES
              if not args.only or any(text in name for text in args.only)]
    ok = True
    with ThreadPoolExecutor(max_workers=max(1, len(chosen))) as pool:
        futures = [pool.submit(run_case, *chosen_case, ports, run_id)
                   for chosen_case in chosen]
        for future in futures:
            result, notes = future.result()
            ok = ok and result.startswith("PASS")
            print(result, flush=True)
            for note in notes:
                print(note, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
