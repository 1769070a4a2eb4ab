/**
 * The bridge pair: bridge-cloud.conf, the central broker, and
 * bridge-edge.conf, a site that bridges to it over plain MQTT with a
 * password, TLS with a client certificate and TLS-PSK.
 */
import assert from 'node:assert/strict';
import { type Case, sorted, withCert } from './case.js';
import { at, publish, subscribe, watch, words } from './clients.js';

export const bridgeCloud: Case = {
  file: 'bridge-cloud.conf',
  async check(t, run) {
    const vpn = at(run.port('CLOUD_PORT'));
    const ops = await subscribe(
      t,
      [...vpn, ...words('-u ops -P ops-Pass-6 -t sites/#')],
      3,
    );
    const bridgeUser = words('-u edge-bridge -P edge-Pass-3');
    await publish(t, [...vpn, ...bridgeUser, ...words('-t sites/b/vpn -m up')]);
    const tls = [...at(run.port('CLOUD_TLS_PORT')), ...withCert(run, 'edge-bridge')];
    await publish(t, [...tls, ...words('-t sites/b/tls -m up')]);
    const psk = words('--psk 6d69646765206272696467652070736b --psk-identity site-b-psk');
    const pskPort = at(run.port('CLOUD_PSK_PORT'));
    await publish(t, [...pskPort, ...psk, ...words('-t sites/b/psk -m up')]);
    assert.deepEqual(sorted(await ops.messages), [
      'sites/b/psk up',
      'sites/b/tls up',
      'sites/b/vpn up',
    ]);
  },
  mosquitto: 'same',
};

/** A link of bridge-edge.conf that starts by itself, as checked. */
interface EdgeLink {
  /** Its notification topic on the edge. */
  state: string;
  /** Published on the edge, and the line it becomes on the cloud. */
  publish: string;
  arrives: string;
}

const EDGE_LINKS: readonly EdgeLink[] = [
  {
    state: 'site-b/bridge/cloud/state',
    publish: '-q 1 -t telemetry/line1/temp -m 20.1',
    arrives: 'sites/b/telemetry/line1/temp 20.1',
  },
  {
    state: '$SYS/broker/connection/site-b-tls/state',
    publish: '-q 1 -t backup/db/last -m ok',
    arrives: 'sites/b/backup/db/last ok',
  },
  {
    state: '$SYS/broker/connection/site-b-psk/state',
    publish: '-t meters/m7/kwh -m 1234',
    arrives: 'meters/m7/kwh 1234',
  },
];

const lastValue = (seen: Array<[string, string]>, name: string) =>
  seen.filter(([topic]) => topic === name).at(-1)?.[1];

/**
 * Each link says "1" on the edge once it is up; then a message goes up
 * each link, and a command comes down the main one.
 */
function edgeCheck(links: readonly EdgeLink[]): Case['check'] {
  return async (t, run) => {
    const edge = `mqtt://127.0.0.1:${run.port('PORT1')}`;
    const names = links.map((link) => link.state);
    const states = await watch(t, edge, names);
    await states.until((seen) => names.every((name) => lastValue(seen, name) === '1'));
    const cloud = [...at(run.port('CLOUD_PORT')), ...words('-u ops -P ops-Pass-6')];
    const upTopics = words('-t sites/b/# -t meters/#');
    const up = await subscribe(t, [...cloud, ...upTopics], links.length);
    const local = at(run.port('PORT1'));
    for (const link of links) await publish(t, [...local, ...words(link.publish)]);
    assert.deepEqual(sorted(await up.messages), sorted(links.map((l) => l.arrives)));
    // Retained, so it reaches the edge whether or not the link's
    // subscription was in place when it was sent.
    const down = await subscribe(t, [...local, '-t', 'local/commands/#']);
    await publish(t, [...cloud, ...words('-r -q 1 -t sites/b/commands/reboot -m now')]);
    assert.deepEqual(await down.messages, ['local/commands/reboot now']);
  };
}

export const bridgeEdge: Case = {
  file: 'bridge-edge.conf',
  remote: 'bridge-cloud.conf',
  check: edgeCheck(EDGE_LINKS),
  mosquitto: {
    why:
      "2.0.11 never connects the 'start_type once' PSK link: its log stops at " +
      "'Connecting bridge (step 1) cloud-psk', so only the VPN and TLS links are checked",
    check: edgeCheck(EDGE_LINKS.slice(0, 2)),
  },
};
