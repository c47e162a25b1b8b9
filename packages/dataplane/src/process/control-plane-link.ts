import type { Logger } from 'pino';
import { createIstioCertificateProvider } from '../identity/istio-ca-client';
import { CertificateManager } from '../identity/manager';
import { AdsClient } from '../xds/ads-client';
import { channelSecurity, type XdsTlsOptions } from '../xds/channel';
import type { ProxyNodeOptions } from '../xds/proxy-node';
import type { XdsSink } from '../xds/sink';
import type { Subscription } from '../xds/subscription';
import { readNodeToken } from './node-token';

/**
 * What every proxy process has towards the control plane: the node token, certificates over
 * CreateCertificate and configuration over ADS, on the same (plaintext or TLS) channel settings.
 */
export interface ControlPlaneLinkOptions {
  /** `host:port` of the control plane's xDS + CA port. */
  controlPlane: string;
  tokenFile: string;
  xdsTls?: XdsTlsOptions;
  /** Requested certificate lifetime; 0 or absent for the CA's default. */
  certTtlSeconds?: number;
  xdsMaxBackoffMs?: number;
  node: ProxyNodeOptions;
  sink: XdsSink;
  subscriptions?: readonly Subscription[];
  /** The process logger (for the xDS client) and the proxy's own child logger. */
  logger: Logger;
  log: Logger;
}

export interface ControlPlaneLink {
  readonly certificates: CertificateManager;
  readonly xds: AdsClient;
  /** Stops the xDS client, certificate renewal and the CA channel. */
  release(): void;
}

export async function connectToControlPlane(options: ControlPlaneLinkOptions): Promise<ControlPlaneLink> {
  const token = () => readNodeToken(options.tokenFile);
  await token(); // A missing or empty token file is a usage error: fail now, not on every retry.
  const security = await channelSecurity({ tls: options.xdsTls });
  const provider = createIstioCertificateProvider({
    address: options.controlPlane,
    token,
    ...security,
    validitySeconds: options.certTtlSeconds ?? 0,
  });
  const certificates = new CertificateManager({ provider, logger: options.log.child({ scope: 'identity' }) });
  const xds = new AdsClient({
    address: options.controlPlane,
    tls: options.xdsTls,
    node: options.node,
    sink: options.sink,
    ...(options.subscriptions ? { subscriptions: [...options.subscriptions] } : {}),
    token,
    ...(options.xdsMaxBackoffMs !== undefined ? { backoff: { maxMs: options.xdsMaxBackoffMs } } : {}),
    logger: options.logger,
  });
  return {
    certificates,
    xds,
    release() {
      xds.close();
      certificates.stop();
      provider.close();
    },
  };
}
