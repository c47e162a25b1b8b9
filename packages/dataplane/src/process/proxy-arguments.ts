/**
 * Command-line handling shared by the bundled proxy entries (ztunnel-process.ts,
 * waypoint-process.ts): the same flags as `ambit ztunnel` / `ambit waypoint`, parsed without a
 * CLI framework so the bundles stay small, plus what a long-running proxy process does on signals.
 */
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AmbitError } from '@ambit/shared/errors';
import type { XdsTlsOptions } from '../xds/channel';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags both proxies take to reach the control plane (as apps/bff/src/cli/proxy-flags.ts). */
export const CONTROL_PLANE_FLAGS: FlagSpec = {
  'control-plane': { type: 'string' },
  'token-file': { type: 'string' },
  'trust-domain': { type: 'string' },
  'admin-host': { type: 'string' },
  'cert-ttl': { type: 'string' },
  'root-cert': { type: 'string' },
  'xds-root-ca': { type: 'string' },
  'xds-server-name': { type: 'string' },
  'xds-max-backoff': { type: 'string' },
  'log-level': { type: 'string', default: 'info' },
  // The embedded mesh: exit when the process that started this one is gone (killed, crashed).
  'exit-with-parent': { type: 'boolean', default: false },
};

export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(argv: readonly string[], options: FlagSpec): Flags {
  return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Flags;
}

export function stringFlag(flags: Flags, name: string, fallback?: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' && value !== '' ? value : fallback;
}

export function requiredFlag(flags: Flags, name: string, fallback?: string): string {
  const value = stringFlag(flags, name, fallback);
  if (value === undefined) throw new AmbitError('InvalidArgument', `required option '--${name}' not specified`);
  return value;
}

export function portFlag(flags: Flags, name: string, fallback: number): number {
  const text = stringFlag(flags, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new AmbitError('InvalidArgument', `--${name} must be a port number (0-65535)`);
  return n;
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
  const ttl = stringFlag(flags, 'cert-ttl', process.env.AMBIT_CERT_TTL);
  const rootCert = stringFlag(flags, 'root-cert');
  const xdsRootCa = stringFlag(flags, 'xds-root-ca');
  const serverName = stringFlag(flags, 'xds-server-name');
  const maxBackoff = stringFlag(flags, 'xds-max-backoff');
  const out: ControlPlaneConnection = {};
  if (ttl !== undefined) out.certTtlSeconds = durationSeconds(ttl);
  if (rootCert) out.rootCertFile = resolve(rootCert);
  if (xdsRootCa) out.xdsTls = { rootCaFile: resolve(xdsRootCa), ...(serverName ? { serverName } : {}) };
  if (maxBackoff !== undefined) out.xdsMaxBackoffMs = durationSeconds(maxBackoff) * 1000;
  return out;
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
