/**
 * Listener TLS, TLS-PSK and websockets options. Certificate and PSK
 * encryption exclude each other on one listener, as in Mosquitto.
 */
import type { ParseContext } from './context.js';
import { requireListenerSection } from './options-listener.js';
import {
  boolOption,
  customOption,
  intOption,
  type OptionSpec,
  type StringOptions,
  stringOption,
} from './spec.js';
import { parseString } from './values.js';

// LIMIT(feature): ciphers, tls_version and use_identity_as_username also
// serve PSK listeners, but their rows name only the tls feature, so a build
// with PSK and without certificate TLS would refuse them on a PSK listener.
const TLS = { scope: 'listener', reload: false, support: 'tls' } as const;
const PSK = { scope: 'listener', reload: false, support: 'psk' } as const;
const WS = { scope: 'listener', reload: false, support: 'websockets' } as const;

function noPsk(ctx: ParseContext): void {
  if (ctx.listener().pskHint !== null) {
    ctx.fail('a listener cannot use both certificates and PSK');
  }
}

const path = (
  name: string,
  field: string,
  c: Partial<StringOptions> & { summary: string },
) => stringOption(name, field, { ...TLS, kind: 'path', default: 'none', ...c });

export const tlsOptions: readonly OptionSpec[] = [
  path('cafile', 'cafile', {
    summary: 'PEM CA bundle to verify client certificates',
    check: noPsk,
  }),
  path('capath', 'capath', { summary: 'folder of PEM CA certificates' }),
  path('certfile', 'certfile', { summary: 'server certificate (PEM)', check: noPsk }),
  path('keyfile', 'keyfile', { summary: 'server private key (PEM)' }),
  stringOption('ciphers', 'ciphers', {
    ...TLS,
    default: "OpenSSL's",
    summary: 'TLS 1.2 and older cipher list (also PSK ciphers)',
  }),
  stringOption('ciphers_tls1.3', 'ciphersTls13', {
    ...TLS,
    default: "OpenSSL's",
    summary: 'TLS 1.3 cipher suites',
  }),
  path('crlfile', 'crlfile', { summary: 'PEM certificate revocation list' }),
  path('dhparamfile', 'dhparamfile', { summary: 'Diffie-Hellman parameters for DHE' }),
  boolOption('require_certificate', 'requireCertificate', {
    ...TLS,
    default: 'false',
    summary: 'clients must present a valid certificate',
  }),
  stringOption('tls_engine', 'tlsEngine', {
    ...TLS,
    support: 'tls-engine',
    default: 'none',
    summary: 'OpenSSL engine for TLS',
  }),
  customOption(
    'tls_engine_kpass_sha1',
    'string',
    {
      ...TLS,
      support: 'tls-engine',
      default: 'none',
      summary: 'SHA1 of the engine key password, in hex',
    },
    (ctx, words) => {
      const value = parseString(ctx.option, words, ctx.fail);
      if (!/^[0-9a-fA-F]{40}$/.test(value)) {
        ctx.fail('tls_engine_kpass_sha1 must be 40 hexadecimal digits');
      }
      ctx.listener().tlsEngineKpassSha1 = value;
    },
  ),
  customOption(
    'tls_keyform',
    'enum',
    {
      ...TLS,
      values: ['pem', 'engine'],
      default: 'pem',
      summary: 'key type; anything but `engine` means pem, as in Mosquitto',
    },
    (ctx, words) => {
      const value = parseString(ctx.option, words, ctx.fail);
      ctx.listener().tlsKeyform = value === 'engine' ? 'engine' : 'pem';
    },
  ),
  stringOption('tls_version', 'tlsVersion', {
    ...TLS,
    default: 'TLS 1.2 and 1.3',
    summary: 'lowest TLS version: tlsv1.3, tlsv1.2 or tlsv1.1',
  }),
  boolOption('use_identity_as_username', 'useIdentityAsUsername', {
    ...TLS,
    default: 'false',
    summary: 'certificate CN (or PSK identity) becomes the username',
  }),
  boolOption('use_subject_as_username', 'useSubjectAsUsername', {
    ...TLS,
    default: 'false',
    summary: 'certificate subject becomes the username',
  }),
  customOption(
    'disable_client_cert_date_checks',
    'bool',
    {
      ...TLS,
      since: '2.1',
      default: 'false',
      summary: 'accept expired or not yet valid client certificates',
    },
    (ctx, words) => {
      requireListenerSection(ctx);
      boolOption(ctx.option, 'disableClientCertDateChecks', {
        ...TLS,
        default: '',
        summary: '',
      }).apply(ctx, words);
    },
  ),
  customOption(
    'psk_hint',
    'string',
    {
      ...PSK,
      default: 'none',
      summary: 'enables PSK on the listener; hint sent to clients',
    },
    (ctx, words) => {
      const listener = ctx.listener();
      if (listener.cafile !== null || listener.certfile !== null) {
        ctx.fail('a listener cannot use both certificates and PSK');
      }
      stringOption(ctx.option, 'pskHint', { ...PSK, default: '', summary: '' }).apply(
        ctx,
        words,
      );
    },
  ),
  stringOption('http_dir', 'httpDir', {
    ...WS,
    kind: 'path',
    default: 'none',
    summary: 'serve static files over HTTP from this folder',
  }),
  customOption(
    'websockets_origin',
    'list',
    {
      ...WS,
      since: '2.1',
      default: 'any origin',
      summary: 'an allowed HTTP Origin; repeatable',
    },
    (ctx, words) => {
      ctx.listener().websocketsOrigins.push(parseString(ctx.option, words, ctx.fail));
    },
  ),
  intOption('websockets_log_level', 'websocketsLogLevel', {
    ...WS,
    scope: 'global',
    default: '0',
    summary: 'libwebsockets log mask (needs log_type websockets)',
  }),
  intOption('websockets_headers_size', 'websocketsHeadersSize', {
    ...WS,
    scope: 'global',
    min: 0,
    max: 65535,
    default: '0 (1024)',
    summary: 'HTTP header buffer size of websockets listeners',
  }),
];
