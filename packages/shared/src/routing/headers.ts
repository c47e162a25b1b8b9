import type { HeaderRecord } from './match';

/** A header modifier as compiled or as written in an HTTPRoute (any name case). */
export interface HeaderModifierSpec {
  readonly set?: readonly { readonly name: string; readonly value: string }[];
  readonly add?: readonly { readonly name: string; readonly value: string }[];
  readonly remove?: readonly string[];
}

/**
 * Applies a header modifier to headers with lowercase names and returns the result; the input
 * is left untouched. Names compare case-insensitively: `set` replaces every value of the name,
 * `add` appends a value after the existing ones, `remove` deletes the name.
 */
function applyHeaderModifier(headers: Readonly<HeaderRecord>, modifier: HeaderModifierSpec): HeaderRecord {
  const out: HeaderRecord = { ...headers };
  if (modifier.set) for (const h of modifier.set) out[h.name.toLowerCase()] = h.value;
  if (modifier.add) {
    for (const h of modifier.add) {
      const name = h.name.toLowerCase();
      const existing = out[name];
      out[name] = existing === undefined ? h.value : typeof existing === 'string' ? [existing, h.value] : [...existing, h.value];
    }
  }
  if (modifier.remove) for (const name of modifier.remove) delete out[name.toLowerCase()];
  return out;
}

/** RequestHeaderModifier: the headers to send to the backend. */
export function applyRequestHeaderModifier(headers: Readonly<HeaderRecord>, modifier: HeaderModifierSpec): HeaderRecord {
  return applyHeaderModifier(headers, modifier);
}

/** ResponseHeaderModifier: the headers to send back to the client. */
export function applyResponseHeaderModifier(headers: Readonly<HeaderRecord>, modifier: HeaderModifierSpec): HeaderRecord {
  return applyHeaderModifier(headers, modifier);
}
