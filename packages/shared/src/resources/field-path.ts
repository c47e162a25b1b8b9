/**
 * Reading the field paths errors and analysis messages report (`spec.rules[0].backendRefs[1]`,
 * `metadata.labels["istio.io/use-waypoint"]`): the inverse of `formatPath` in ./validate.
 */

const SEGMENT = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** `spec.rules[0].to` → `['spec', 'rules', 0, 'to']`; undefined when the text is not such a path. */
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
