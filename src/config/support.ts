/**
 * Which options need a midge feature that is not built yet. The CLI
 * refuses to start on such a config rather than silently ignore a line
 * the user relies on.
 */
import { findOption } from './option-table.js';
import type { Config } from './types.js';

export interface UnsupportedOption {
  file: string;
  line: number;
  option: string;
  feature: string;
}

/** The features options may need, with what each brings, for the docs. */
export const FEATURES: Readonly<Record<string, string>> = {
  security: 'password file, ACL file, per-listener security',
  psk: 'TLS-PSK listeners and psk_file',
  tls: 'TLS listeners (certificates)',
  'tls-engine': 'keys held by an OpenSSL engine',
  websockets: 'MQTT over WebSockets listeners',
  'unix-sockets': 'listeners on Unix sockets',
  bridge: 'bridges to other brokers',
  'bridge-tls': 'TLS and PSK on bridges',
  persistence: 'saving sessions and retained messages to disk',
  sys: 'the $SYS topic tree (and log_dest topic)',
  plugins: 'loading plugins',
  syslog: 'logging to syslog',
  dlt: 'logging to the DLT daemon',
  android: 'logging to the Android log',
  'pid-file': 'writing a pid file',
  privileges: 'dropping root privileges to another user',
  'bind-interface': 'binding a listener to a network interface',
  'clientid-prefixes': 'restricting client ids to a prefix',
  'proxy-protocol': 'the HAProxy PROXY protocol',
  'control-api': 'the $CONTROL broker API',
  'global-limits': 'broker-wide client and connection limits',
};

export function unsupportedOptions(
  config: Config,
  builtFeatures: ReadonlySet<string>,
): UnsupportedOption[] {
  const out: UnsupportedOption[] = [];
  for (const d of config.directives) {
    const support = findOption(d.option)?.support ?? 'supported';
    for (const feature of [support, d.feature]) {
      if (
        feature === undefined ||
        feature === 'supported' ||
        builtFeatures.has(feature)
      ) {
        continue;
      }
      out.push({ file: d.file, line: d.line, option: d.option, feature });
      break;
    }
  }
  return out;
}
