import { resolve } from 'node:path';
import type { Command } from 'commander';
import { duration } from './arguments';

/**
 * What both proxy commands (`ambit ztunnel`, `ambit waypoint`) take to reach the control plane
 * and obtain certificates, and how the flags become the runtimes' options.
 */
export interface ControlPlaneFlags {
  certTtl?: number;
  rootCert?: string;
  xdsRootCa?: string;
  xdsServerName?: string;
  xdsMaxBackoff?: number;
  logLevel: string;
}

export interface ControlPlaneConnection {
  certTtlSeconds?: number;
  rootCertFile?: string;
  xdsTls?: { rootCaFile: string; serverName?: string };
  xdsMaxBackoffMs?: number;
}

/** Adds the flags; `proxy` names whose certificate the root comes with by default. */
export function controlPlaneFlags(command: Command, proxy: string): Command {
  return command
    .option('--cert-ttl <duration>', 'certificate lifetime to ask for (30s, 1h, 24h; env AMBIT_CERT_TTL; default the CA’s)', duration)
    .option('--root-cert <file>', `PEM root(s) to trust for HBONE peers (default: the root the CA returns with the ${proxy} certificate)`)
    .option('--xds-root-ca <file>', 'speak TLS to the control plane, trusting this root (port 15012)')
    .option('--xds-server-name <name>', 'the name in the control plane’s certificate, when it is not the host dialed')
    .option('--xds-max-backoff <duration>', 'longest wait between attempts to reach a lost control plane (default 30s)', duration)
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info');
}

export function controlPlaneConnection(flags: ControlPlaneFlags): ControlPlaneConnection {
  const envTtl = process.env.AMBIT_CERT_TTL;
  const certTtlSeconds = flags.certTtl ?? (envTtl ? duration(envTtl) : undefined);
  const out: ControlPlaneConnection = {};
  if (certTtlSeconds !== undefined) out.certTtlSeconds = certTtlSeconds;
  if (flags.rootCert) out.rootCertFile = resolve(flags.rootCert);
  if (flags.xdsRootCa)
    out.xdsTls = { rootCaFile: resolve(flags.xdsRootCa), ...(flags.xdsServerName ? { serverName: flags.xdsServerName } : {}) };
  if (flags.xdsMaxBackoff !== undefined) out.xdsMaxBackoffMs = flags.xdsMaxBackoff * 1000;
  return out;
}
