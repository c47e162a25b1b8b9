/**
 * Command-line handling shared by the bundled proxy entries (ztunnel-process.ts,
 * waypoint-process.ts): the flags of proxy-flag-table.ts, which `ambit ztunnel` / `ambit waypoint`
 * read too, parsed without a CLI framework so the bundles stay small, plus what a long-running
 * proxy process does on signals.
 */
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AmbitError } from '@ambit/shared/errors';
import type { RunWaypointOptions } from '../waypoint/main';
import type { XdsTlsOptions } from '../xds/channel';
import type { RunZtunnelOptions } from '../ztunnel/main';
import type { ProxyFlag } from './proxy-flag-table';

/** Flag name → value: text for strings, a number for ports and durations (seconds), a boolean for switches. */
export type Flags = Record<string, string | number | boolean | undefined>;

/**
 * Reads the command line by `table`: each flag from `argv`, else its environment variable, else
 * its default; a flag the table does not name, a missing required one or a bad value is an error.
 */
export function readProxyFlags(argv: readonly string[], table: readonly ProxyFlag[], env: NodeJS.ProcessEnv = process.env): Flags {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const flag of table) options[flag.name] = { type: flag.type === 'boolean' ? 'boolean' : 'string' };
  const given = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  const flags: Flags = {};
  for (const flag of table) {
    const value = given[flag.name];
    if (flag.type === 'boolean') {
      flags[flag.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' && value !== '' ? value : (flag.env && env[flag.env]) || flag.default;
    if (text === undefined) {
      if (flag.required) throw new AmbitError('InvalidArgument', `required option '--${flag.name}' not specified`);
      continue;
    }
    flags[flag.name] = flagValue(flag, text);
  }
  return flags;
}

function flagValue(flag: ProxyFlag, text: string): string | number {
  if (flag.type === 'duration') return durationSeconds(text);
  if (flag.type !== 'port') return text;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new AmbitError('InvalidArgument', `--${flag.name} must be a port number (0-65535)`);
  return n;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** A flag the table marks required (or gives a default): readProxyFlags has made sure it is there. */
export function requiredFlag(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string') throw new AmbitError('Internal', `--${name} has no value`);
  return value;
}

/** A port or duration flag with a default. */
export function numberFlag(flags: Flags, name: string): number {
  const value = flags[name];
  if (typeof value !== 'number') throw new AmbitError('Internal', `--${name} has no value`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `30s`, `15m`, `24h`, `1h30m`, `7d` or plain seconds → whole seconds. */
export function durationSeconds(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^(\d+[smhd])+$/.test(text)) throw new AmbitError('InvalidArgument', `"${value}" must be a duration such as 30s, 15m, 24h or 1h30m`);
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) seconds += Number(amount) * (DURATION_UNITS[unit as string] ?? 0);
  return seconds;
}

export interface ControlPlaneConnection {
  certTtlSeconds?: number;
  rootCertFile?: string;
  xdsTls?: XdsTlsOptions;
  xdsMaxBackoffMs?: number;
}

export function controlPlaneConnection(flags: Flags): ControlPlaneConnection {
  const ttl = flags['cert-ttl'];
  const rootCert = stringFlag(flags, 'root-cert');
  const xdsRootCa = stringFlag(flags, 'xds-root-ca');
  const serverName = stringFlag(flags, 'xds-server-name');
  const maxBackoff = flags['xds-max-backoff'];
  const out: ControlPlaneConnection = {};
  if (typeof ttl === 'number') out.certTtlSeconds = ttl;
  if (rootCert) out.rootCertFile = resolve(rootCert);
  if (xdsRootCa) out.xdsTls = { rootCaFile: resolve(xdsRootCa), ...(serverName ? { serverName } : {}) };
  if (typeof maxBackoff === 'number') out.xdsMaxBackoffMs = maxBackoff * 1000;
  return out;
}

/** What a ztunnel's flags (ZTUNNEL_FLAGS) ask for, as `ambit ztunnel` and the bundled ztunnel run it. */
export function ztunnelOptions(flags: Flags): RunZtunnelOptions {
  return {
    node: requiredFlag(flags, 'node'),
    nodeAddress: requiredFlag(flags, 'address'),
    controlPlane: requiredFlag(flags, 'control-plane'),
    tokenFile: resolve(requiredFlag(flags, 'token-file')),
    trustDomain: requiredFlag(flags, 'trust-domain'),
    adminHost: requiredFlag(flags, 'admin-host'),
    ports: {
      hbone: numberFlag(flags, 'hbone-port'),
      inboundPlaintext: numberFlag(flags, 'inbound-port'),
      admin: numberFlag(flags, 'admin-port'),
      metrics: numberFlag(flags, 'metrics-port'),
      readiness: numberFlag(flags, 'readiness-port'),
    },
    ...controlPlaneConnection(flags),
  };
}

/** What a waypoint's flags (WAYPOINT_FLAGS) ask for; namespace and service account default to the Gateway's. */
export function waypointOptions(flags: Flags): RunWaypointOptions {
  const name = requiredFlag(flags, 'name');
  const [gatewayNamespace = '', gatewayName = ''] = name.split('/');
  const podName = stringFlag(flags, 'pod-name');
  const adminHost = stringFlag(flags, 'admin-host');
  return {
    name,
    address: requiredFlag(flags, 'address'),
    controlPlane: requiredFlag(flags, 'control-plane'),
    tokenFile: resolve(requiredFlag(flags, 'token-file')),
    node: requiredFlag(flags, 'node'),
    namespace: stringFlag(flags, 'namespace') || gatewayNamespace,
    serviceAccount: stringFlag(flags, 'service-account') || gatewayName,
    ...(podName ? { podName } : {}),
    trustDomain: requiredFlag(flags, 'trust-domain'),
    ...(adminHost ? { adminHost } : {}),
    ports: {
      hbone: numberFlag(flags, 'hbone-port'),
      admin: numberFlag(flags, 'admin-port'),
      metrics: numberFlag(flags, 'metrics-port'),
      readiness: numberFlag(flags, 'readiness-port'),
    },
    ...controlPlaneConnection(flags),
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** Exits when the parent changes (the launcher died without stopping us), checked once a second. */
export function exitWithParent(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1_000);
  timer.unref();
}

/**
 * Runs a proxy until a signal or its own stop (admin /quitquitquit); a failure to start is printed
 * and exits 1. `start` gets an AbortSignal that a signal during startup aborts.
 */
export async function serveUntilStopped(
  proxy: string,
  start: (signal: AbortSignal) => Promise<{ stopped: Promise<void>; stop(): Promise<void> }>,
  log: (reason: string) => void,
): Promise<void> {
  const starting = new AbortController();
  const signalled = untilSignal().then((signal) => {
    starting.abort();
    return signal;
  });
  let runtime: { stopped: Promise<void>; stop(): Promise<void> };
  try {
    runtime = await start(starting.signal);
  } catch (error) {
    if (starting.signal.aborted) return;
    process.stderr.write(`${proxy}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const reason = await Promise.race([signalled, runtime.stopped.then(() => 'quitquitquit')]);
  log(reason);
  await runtime.stop();
  process.exit(0);
}
