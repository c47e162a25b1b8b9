import { DEFAULT_PORTS } from '@ambit/control-plane/ports';
import type { ProxySyncSummary } from '@ambit/control-plane/xds';
import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';
import { outputFormat } from '../arguments';
import { print } from '../context';
import type { OutputFormat } from '../output/print';
import { formatTable } from '../output/table';

export const DEFAULT_MONITORING_URL = `http://127.0.0.1:${DEFAULT_PORTS.monitoring}`;

export function registerProxyStatus(program: Command): void {
  program
    .command('proxy-status')
    .description('Show every proxy connected to the control plane and whether it has the latest config of each type')
    .option(
      '--control-plane <url>',
      'the control plane monitoring address (env AMBIT_CONTROL_PLANE)',
      process.env.AMBIT_CONTROL_PLANE ?? DEFAULT_MONITORING_URL,
    )
    .option('-o, --output <format>', 'table or json', outputFormat, 'table')
    .addHelpText(
      'after',
      '\nStates: SYNCED (acknowledged the latest push), STALE (a push is unanswered; how long), NACK (rejected the latest push), NOT SENT.\n\nExample:\n  ambit proxy-status',
    )
    .action(async (options: { controlPlane: string; output: OutputFormat }) => {
      const proxies = await fetchJson<ProxySyncSummary[]>(`${options.controlPlane}/debug/proxy-status`);
      if (options.output === 'json') return print(JSON.stringify(proxies, null, 2));
      if (proxies.length === 0) return print('No proxies connected.');
      const rows = proxies.map((p) => [
        p.id,
        p.kind,
        p.node ?? '-',
        p.types
          .map((t) => `${t.type.toUpperCase()} ${t.state === 'STALE' ? `STALE (${Math.round((t.staleMs ?? 0) / 1000)}s)` : t.state}`)
          .join(', '),
        p.types.find((t) => t.lastNack)?.lastNack?.message ?? '',
      ]);
      print(formatTable(['PROXY', 'KIND', 'NODE', 'SYNC', 'LAST NACK'], rows));
    });
}

export async function fetchJson<T>(url: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new AmbitError(
      'Unavailable',
      `cannot reach the control plane at ${url} (${reason}); is it running (ambit control-plane / npm start)?`,
    );
  }
  if (!response.ok) throw new AmbitError('Unavailable', `${url} answered ${response.status}: ${(await response.text()).trim()}`);
  return (await response.json()) as T;
}
