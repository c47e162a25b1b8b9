/**
 * Reading a field by the path the shared compilers report (`spec.rules[0].backendRefs[1]`,
 * `metadata.labels["istio.io/use-waypoint"]`), the inverse of the shared `formatPath`.
 */

const SEGMENT = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

export function parseFieldPath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < path.length) {
    const at = SEGMENT.lastIndex;
    const m = SEGMENT.exec(path);
    if (!m || m.index !== at) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3] as string) as string);
  }
  return out;
}

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
