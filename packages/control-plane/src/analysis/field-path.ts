/**
 * Reading a field by the path the shared compilers report (`spec.rules[0].backendRefs[1]`,
 * `metadata.labels["istio.io/use-waypoint"]`); the path syntax has its home in shared.
 */
import { parseFieldPath } from '@ambit/shared/resources/field-path';

/** The value at `path` in `value`, or undefined when the path does not lead anywhere. */
export function fieldAt(value: unknown, path: string): unknown {
  const segments = parseFieldPath(path);
  if (!segments) return undefined;
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
