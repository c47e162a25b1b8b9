import type { StringMatch } from './types';

/**
 * Istio's string syntax in policies: `*` is presence (any non-empty value), `*foo` a suffix,
 * `foo*` a prefix, anything else exact. Checked in that order, so `*` never becomes an empty
 * prefix or suffix.
 */
export function toStringMatch(value: string): StringMatch {
  if (value === '*') return { presence: true };
  if (value.startsWith('*')) return { suffix: value.slice(1) };
  if (value.endsWith('*')) return { prefix: value.slice(0, -1) };
  return { exact: value };
}

/** The policy syntax back from a StringMatch (for messages and round trips). */
export function formatStringMatch(match: StringMatch): string {
  if ('exact' in match) return match.exact;
  if ('prefix' in match) return `${match.prefix}*`;
  if ('suffix' in match) return `*${match.suffix}`;
  return '*';
}

export const EXACT = 0;
export const PREFIX = 1;
export const SUFFIX = 2;
export const PRESENCE = 3;

/** A StringMatch flattened for the hot path: one shape, no property probing per call. */
export interface PreparedString {
  readonly kind: number;
  readonly value: string;
}

export function prepareString(match: StringMatch, lowerCase = false): PreparedString {
  const fold = (s: string) => (lowerCase ? s.toLowerCase() : s);
  if ('exact' in match) return { kind: EXACT, value: fold(match.exact) };
  if ('prefix' in match) return { kind: PREFIX, value: fold(match.prefix) };
  if ('suffix' in match) return { kind: SUFFIX, value: fold(match.suffix) };
  return { kind: PRESENCE, value: '' };
}

/** Matches `s.slice(0, end)` without slicing. */
export function matchString(m: PreparedString, s: string, end: number = s.length): boolean {
  const v = m.value;
  switch (m.kind) {
    case EXACT:
      return end === v.length && s.startsWith(v);
    case PREFIX:
      return end >= v.length && s.startsWith(v);
    case SUFFIX:
      return end >= v.length && s.startsWith(v, end - v.length);
    default:
      return end > 0;
  }
}

/** Like matchString for a pattern already in lower case; folds ASCII letters of `s` as it compares. */
export function matchStringIgnoreCase(m: PreparedString, s: string): boolean {
  const v = m.value;
  switch (m.kind) {
    case EXACT:
      return s.length === v.length && regionEqualsIgnoreCase(s, 0, v);
    case PREFIX:
      return s.length >= v.length && regionEqualsIgnoreCase(s, 0, v);
    case SUFFIX:
      return s.length >= v.length && regionEqualsIgnoreCase(s, s.length - v.length, v);
    default:
      return s.length > 0;
  }
}

function regionEqualsIgnoreCase(s: string, offset: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(offset + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function anyString(list: readonly PreparedString[], s: string, end: number = s.length): boolean {
  for (let i = 0; i < list.length; i++) {
    if (matchString(list[i] as PreparedString, s, end)) return true;
  }
  return false;
}

export function anyStringIgnoreCase(list: readonly PreparedString[], s: string): boolean {
  for (let i = 0; i < list.length; i++) {
    if (matchStringIgnoreCase(list[i] as PreparedString, s)) return true;
  }
  return false;
}
