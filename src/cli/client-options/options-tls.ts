/** TLS and TLS-PSK options, the same for every tool. */
import type { ClientConfig, TlsConfig } from './config.js';
import { allTools, type OptionSpec } from './option-spec.js';

type TextKey = Exclude<keyof TlsConfig, 'insecure' | 'useOsCerts'>;

function text(name: string, key: TextKey, what: string): OptionSpec {
  return {
    names: [name],
    tools: allTools,
    missing: `${name} argument given but no ${what} specified`,
    set: (cfg: ClientConfig, value: string) => {
      cfg.tls[key] = value;
    },
  };
}

export const tlsOptions: OptionSpec[] = [
  text('--cafile', 'cafile', 'file'),
  text('--capath', 'capath', 'directory'),
  text('--cert', 'certfile', 'file'),
  text('--ciphers', 'ciphers', 'ciphers'),
  {
    names: ['--insecure'],
    tools: allTools,
    set: (cfg) => {
      cfg.tls.insecure = true;
    },
  },
  text('--key', 'keyfile', 'file'),
  text('--keyform', 'keyform', 'keyform'),
  text('--tls-alpn', 'alpn', 'protocol'),
  text('--tls-engine', 'engine', 'engine_id'),
  text('--tls-engine-kpass-sha1', 'engineKpassSha1', 'kpass sha1'),
  {
    names: ['--tls-use-os-certs'],
    tools: allTools,
    set: (cfg) => {
      cfg.tls.useOsCerts = true;
    },
  },
  text('--tls-version', 'version', 'version'),
  {
    names: ['--psk'],
    tools: allTools,
    missing: '--psk argument given but no key specified',
    set: (cfg, value) => {
      cfg.psk = value;
    },
  },
  {
    names: ['--psk-identity'],
    tools: allTools,
    missing: '--psk-identity argument given but no identity specified',
    set: (cfg, value) => {
      cfg.pskIdentity = value;
    },
  },
];
