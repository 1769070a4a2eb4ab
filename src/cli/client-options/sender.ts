/**
 * Sending side of midge_pub and midge_rr: the message to send (from -m,
 * -f, -s or -n) and publishing it with -D publish properties, the topic
 * alias rule (after the first publish, an aliased topic is sent empty) and
 * Mosquitto's messages for a publish that fails.
 */
import {
  type MqttClient,
  MqttError,
  type Properties,
  PublishError,
} from '../../client/index.js';
import { PacketType } from '../../protocol/index.js';
import { toProperties } from './client-setup.js';
import { type ClientConfig, PubMode } from './config.js';
import { InputError, readFileMessage, readStdinMessage } from './inputs.js';
import { reasonString } from './mosquitto-strings.js';
import { errPrintf, exit } from './tool-runtime.js';

/** The payload of -m, -f, -s or -n; undefined for -l or no mode. Exits on errors. */
export async function loadMessage(cfg: ClientConfig): Promise<Buffer | undefined> {
  try {
    if (cfg.pubMode === PubMode.StdinFile) return await readStdinMessage();
    if (cfg.fileInput !== undefined) return readFileMessage(cfg.fileInput);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    errPrintf(cfg, err.text);
    const what =
      cfg.pubMode === PubMode.StdinFile
        ? 'Error loading input from stdin.\n'
        : `Error loading input file "${cfg.fileInput}".\n`;
    errPrintf(cfg, what);
    return exit(1);
  }
  if (cfg.pubMode === PubMode.Message) return Buffer.from(cfg.message ?? '', 'utf8');
  if (cfg.pubMode === PubMode.Null) return Buffer.alloc(0);
  return undefined;
}

/** Texts for a publish the library refuses before sending, by error code. */
const refusals: Record<string, string> = {
  INVALID_TOPIC: "Error: Invalid input. Does your topic contain '+' or '#'?\n",
  TOPIC_ALIAS_INVALID: "Error: Invalid input. Does your topic contain '+' or '#'?\n",
  QOS_NOT_SUPPORTED: 'Error: Message QoS not supported on broker, try a lower QoS.\n',
  NOT_CONNECTED: 'Error: Client not connected when trying to publish.\n',
};

/**
 * 'oversize': larger than the server's Maximum Packet Size, refused by the
 * library before sending (libmosquitto's MOSQ_ERR_OVERSIZE_PACKET).
 */
export type PublishOutcome = 'sent' | 'refused' | 'oversize' | 'lost';

/** The packet identifier a publish went out with, learnt when it is sent. */
interface Slot {
  id: number;
  /** Refused by the library, so never sent. */
  dead: boolean;
}

export class Publisher {
  #first = true;
  readonly #props: Properties | undefined;
  /** Publishes not yet seen on the wire, oldest first (the client sends in order). */
  readonly #unsent: Slot[] = [];
  #unsentHead = 0;

  constructor(
    readonly cfg: ClientConfig,
    readonly client: MqttClient,
    extra: Properties = {},
  ) {
    const props = { ...(toProperties(cfg.properties.publish) ?? {}), ...extra };
    this.#props =
      cfg.protocolVersion === 5 && Object.keys(props).length > 0 ? props : undefined;
    client.on('packetsend', (packet) => {
      if (packet.type !== PacketType.Publish || packet.dup) return;
      while (this.#unsent[this.#unsentHead]?.dead) this.#unsentHead++;
      const slot = this.#unsent[this.#unsentHead++];
      if (slot) slot.id = packet.packetId ?? 0;
      if (this.#unsentHead > 1024) {
        this.#unsent.splice(0, this.#unsentHead);
        this.#unsentHead = 0;
      }
    });
  }

  /** Starts one publish; the promise settles when it is done (or failed). */
  publish(payload: Buffer): Promise<PublishOutcome> {
    const { cfg } = this;
    const aliased = cfg.haveTopicAlias && cfg.protocolVersion === 5 && !this.#first;
    this.#first = false;
    const options = {
      qos: cfg.qos,
      retain: cfg.retain,
      ...(this.#props ? { properties: this.#props } : {}),
    };
    const topic = aliased ? '' : (cfg.topic ?? '');
    const slot: Slot = { id: 0, dead: false };
    this.#unsent.push(slot);
    return this.client.publish(topic, payload, options).then(
      () => 'sent' as const,
      (err: unknown) => this.#failed(err, slot),
    );
  }

  #failed(err: unknown, slot: Slot): PublishOutcome {
    if (err instanceof PublishError) {
      // The broker refused it (MQTT 5): Mosquitto warns and carries on.
      const code = err.reasonCode ?? 0;
      errPrintf(this.cfg, `Warning: Publish ${slot.id} failed: ${reasonString(code)}.\n`);
      const why = err.properties?.reasonString;
      if (why !== undefined) errPrintf(this.cfg, `${why}\n`);
      return 'sent';
    }
    if (!(err instanceof MqttError)) throw err;
    if (err.name === 'UsageError') slot.dead = true;
    if (err.code === 'PACKET_TOO_LARGE') return 'oversize';
    const text = refusals[err.code];
    if (text !== undefined) {
      errPrintf(this.cfg, text);
      return 'refused';
    }
    return 'lost';
  }
}

/** DISCONNECT options carrying -D disconnect properties (MQTT 5). */
export function disconnectOptions(cfg: ClientConfig, reasonCode?: number) {
  const properties =
    cfg.protocolVersion === 5 ? toProperties(cfg.properties.disconnect) : undefined;
  return {
    ...(reasonCode !== undefined ? { reasonCode } : {}),
    ...(properties ? { properties } : {}),
  };
}
