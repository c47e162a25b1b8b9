import { AmbitError, type KindInfo, kinds, resolveKindName } from '@ambit/shared';
import { InvalidArgumentError } from 'commander';
import { OUTPUT_FORMATS, type OutputFormat } from './output/print';

/** Resolves a kind as typed on the command line, or explains which ones exist. */
export function kindArgument(name: string): KindInfo {
  const info = resolveKindName(name);
  if (!info) {
    throw new AmbitError('InvalidArgument', `unknown kind "${name}"; known kinds: ${kinds.map((k) => k.plural).join(', ')}`);
  }
  return info;
}

export function outputFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return value as OutputFormat;
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of 1 or more');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `app=reviews,version=v1` → a predicate on labels. Equality selectors only. */
export function labelSelector(value: string): (labels: Record<string, string> | undefined) => boolean {
  const pairs = value.split(',').map((term) => {
    const [key, expected, ...rest] = term.split('=');
    if (!key || expected === undefined || rest.length > 0) throw new InvalidArgumentError(`"${term}" is not key=value`);
    return [key.trim(), expected.trim()] as const;
  });
  return (labels) => pairs.every(([k, v]) => labels?.[k] === v);
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `30s`, `15m`, `24h`, `1h30m`, `7d` or plain seconds → whole seconds. */
export function duration(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^(\d+[smhd])+$/.test(text)) throw new InvalidArgumentError('must be a duration such as 30s, 15m, 24h or 1h30m');
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) seconds += Number(amount) * (DURATION_UNITS[unit as string] ?? 0);
  return seconds;
}
