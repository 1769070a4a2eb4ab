import { connect } from '../../../src/client/index.js';

/** Connects over TLS with a CA file and a client certificate. */
export async function overTls(host: string, port: number, files: Record<string, string>) {
  const client = await connect({
    host,
    port,
    tls: {
      caFile: files.ca, // mosquitto_pub --cafile
      certFile: files.cert, // --cert
      keyFile: files.key, // --key
      version: 'tlsv1.2', // --tls-version: the lowest version accepted
    },
  });
  await client.publish('secure/hello', 'over TLS', { qos: 1 });
  await client.disconnect();
  return client.state;
}
