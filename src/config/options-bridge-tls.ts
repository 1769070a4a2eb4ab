/**
 * Bridge TLS and PSK options. A bridge uses certificates or a PSK, never
 * both, as in Mosquitto.
 */
import type { ParseContext } from './context.js';
import { boolOption, customOption, type OptionSpec, stringOption } from './spec.js';
import type { BridgeConfig } from './types.js';
import { parseBool } from './values.js';

const BT = { scope: 'bridge', reload: false, support: 'bridge-tls' } as const;

function usesCertificates(b: BridgeConfig): boolean {
  return (
    b.cafile !== null || b.capath !== null || b.certfile !== null || b.keyfile !== null
  );
}

function noPsk(ctx: ParseContext): void {
  const b = ctx.bridge();
  if (b.identity !== null || b.psk !== null)
    ctx.fail('a bridge cannot use both certificates and PSK');
}

function noCertificates(ctx: ParseContext): void {
  if (usesCertificates(ctx.bridge()))
    ctx.fail('a bridge cannot use both certificates and PSK');
}

const cert = (name: string, field: string, summary: string): OptionSpec =>
  stringOption(name, field, {
    ...BT,
    kind: 'path',
    default: 'none',
    summary,
    check: noPsk,
  });

const str = (
  name: string,
  field: string,
  summary: string,
  since: '2.0' | '2.1' = '2.0',
) => stringOption(name, field, { ...BT, default: 'none', summary, since });

export const bridgeTlsOptions: readonly OptionSpec[] = [
  str('bridge_alpn', 'alpn', 'TLS ALPN protocol'),
  cert('bridge_cafile', 'cafile', 'CA bundle; this or bridge_capath enables TLS'),
  cert('bridge_capath', 'capath', 'folder of CA certificates'),
  cert('bridge_certfile', 'certfile', 'client certificate'),
  cert('bridge_keyfile', 'keyfile', 'client key'),
  stringOption('bridge_identity', 'identity', {
    ...BT,
    default: 'none',
    summary: 'PSK identity',
    check: noCertificates,
  }),
  stringOption('bridge_psk', 'psk', {
    ...BT,
    default: 'none',
    summary: 'PSK key in hex',
    check: noCertificates,
  }),
  customOption(
    'bridge_insecure',
    'bool',
    { ...BT, default: 'false', summary: 'do not verify the remote host name' },
    (ctx, words) => {
      const value = parseBool(ctx.option, words, ctx.fail);
      if (value) ctx.warn(`bridge ${ctx.bridge().name} is in insecure mode`);
      ctx.bridge().insecure = value;
    },
  ),
  boolOption('bridge_require_ocsp', 'requireOcsp', {
    ...BT,
    default: 'false',
    summary: 'require OCSP stapling from the remote',
  }),
  str('bridge_tls_version', 'tlsVersion', 'TLS version (default tlsv1.2)'),
  boolOption('bridge_tls_use_os_certs', 'tlsUseOsCerts', {
    ...BT,
    since: '2.1',
    default: 'false',
    summary: "trust the system's CA certificates",
  }),
  str('bridge_ciphers', 'ciphers', 'TLS 1.2 and older cipher list', '2.1'),
  str('bridge_ciphers_tls1.3', 'ciphersTls13', 'TLS 1.3 cipher suites', '2.1'),
];
