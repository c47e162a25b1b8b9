/**
 * Small builders for recurring Envoy message parts, as the plain objects protobufjs' fromObject
 * takes (camelCase fields, enum names, nested Any as `{ '@type', ...fields }`).
 */
import { jsonToStruct } from '../xds/index';

export type EnvoyObject = Record<string, unknown>;

/** ADS as the config source: resources arrive on the same stream. */
export const ADS_CONFIG_SOURCE: EnvoyObject = Object.freeze({ ads: {}, resourceApiVersion: 'V3' });

/** google.protobuf.Duration from milliseconds. */
export function duration(ms: number): EnvoyObject {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** envoy.type.v3.FractionalPercent from a percentage (0-100, fractions kept to a millionth). */
export function fractionalPercent(percent: number): EnvoyObject {
  return { numerator: Math.round(Math.min(100, Math.max(0, percent)) * 10_000), denominator: 'MILLION' };
}

/** envoy.config.core.v3.Metadata with one filter namespace. */
export function metadata(namespace: string, value: Readonly<Record<string, unknown>>): EnvoyObject {
  return { filterMetadata: { [namespace]: jsonToStruct(value) } };
}

/** Sorted by name: translator output diffs cleanly. */
export function sortedByName<T>(entries: [string, T][]): ReadonlyMap<string, T> {
  return new Map(entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
