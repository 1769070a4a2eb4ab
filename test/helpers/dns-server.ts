/**
 * A tiny DNS server for the SRV tests (the client's and the bridge's):
 * answers SRV questions from a table over UDP on 127.0.0.1 and says "no
 * such name" to everything else. It records every name it is asked.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface SrvAnswer {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

const TYPE_SRV = 33;
const CLASS_IN = 1;

function encodeName(name: string): Buffer {
  const parts = name
    .split('.')
    .filter((l) => l !== '')
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** The question's name and where the question section ends. */
function readQuestion(msg: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i] !== 0) {
    const n = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + n).toString());
    i += n + 1;
  }
  const type = msg.readUInt16BE(i + 1);
  return { name: labels.join('.').toLowerCase(), type, end: i + 5 };
}

function answerRecord(a: SrvAnswer): Buffer {
  const target = encodeName(a.target);
  const rdata = Buffer.alloc(6);
  rdata.writeUInt16BE(a.priority, 0);
  rdata.writeUInt16BE(a.weight, 2);
  rdata.writeUInt16BE(a.port, 4);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  head.writeUInt16BE(TYPE_SRV, 2);
  head.writeUInt16BE(CLASS_IN, 4);
  head.writeUInt32BE(5, 6); // TTL
  head.writeUInt16BE(rdata.length + target.length, 10);
  return Buffer.concat([head, rdata, target]);
}

export class DnsServer {
  readonly #socket: Socket;
  readonly records = new Map<string, SrvAnswer[]>();
  /** Every name asked about, in order. */
  readonly questions: string[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => {
      const reply = this.#answer(msg);
      if (reply) socket.send(reply, rinfo.port, rinfo.address);
    });
  }

  static async start(): Promise<DnsServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new DnsServer(socket);
  }

  /** A server with `zone`'s records (name -> answers), closed when `t` ends. */
  static async forTest(
    t: { after(fn: () => unknown): void },
    zone: Record<string, SrvAnswer[]> = {},
  ): Promise<DnsServer> {
    const dns = await DnsServer.start();
    t.after(() => dns.close());
    for (const [name, answers] of Object.entries(zone)) dns.records.set(name, answers);
    return dns;
  }

  /** 'ip:port', as resolver.setServers takes it. */
  get address(): string {
    return `127.0.0.1:${this.#socket.address().port}`;
  }

  close(): void {
    this.#socket.close();
  }

  #answer(msg: Buffer): Buffer | undefined {
    if (msg.length < 17) return undefined;
    const q = readQuestion(msg);
    this.questions.push(q.name);
    const answers = q.type === TYPE_SRV ? (this.records.get(q.name) ?? []) : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    // Response, recursion available; rcode 3 (NXDOMAIN) when we know nothing.
    header.writeUInt16BE(answers.length > 0 ? 0x8180 : 0x8183, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    return Buffer.concat([header, msg.subarray(12, q.end), ...answers.map(answerRecord)]);
  }
}
