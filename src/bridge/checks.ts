/**
 * What the config reader leaves for the bridge to check: settings midge
 * cannot honour are errors (the bridge does not start) or warnings (it
 * starts without them).
 */
import { tcpSocketOptionsSupported } from '../client/index.js';
import type { BridgeConfig } from '../config/types.js';
import { SRV_PLAIN, SRV_SECURE, srvDomain, usesTls } from './remote-options.js';

export interface BridgeCheck {
  errors: string[];
  warnings: string[];
}

const TLS_VERSIONS: readonly string[] = ['tlsv1.3', 'tlsv1.2', 'tlsv1.1'];

export function checkBridge(config: BridgeConfig): BridgeCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (config.tlsVersion !== null && !TLS_VERSIONS.includes(config.tlsVersion)) {
    errors.push(`unknown bridge_tls_version "${config.tlsVersion}"`);
  }
  const tls = usesTls(config);
  for (const address of config.addresses) {
    if (srvDomain(address) === null) continue;
    if (address.host.startsWith(SRV_SECURE) !== tls) {
      const want = tls ? SRV_SECURE : SRV_PLAIN;
      errors.push(`address ${address.host} should start with ${want}`);
    }
  }
  if (!tcpSocketOptionsSupported()) {
    const why = 'the optional package net-keepalive does not load here';
    const b = `bridge ${config.name}`;
    if (config.tcpKeepalive !== null) {
      const what = 'bridge_tcp_keepalive interval and counter are not applied';
      warnings.push(`${b}: ${what}: ${why}`);
    }
    if (config.tcpUserTimeout !== null) {
      warnings.push(`${b}: bridge_tcp_user_timeout is not applied: ${why}`);
    }
  }
  return { errors, warnings };
}

/** Every error of every bridge, for a command that must refuse to start. */
export function bridgeErrors(configs: readonly BridgeConfig[]): string[] {
  return configs.flatMap((c) =>
    checkBridge(c).errors.map((e) => `bridge ${c.name}: ${e}`),
  );
}
