/**
 * Istio path templates in `paths`/`notPaths`: a segment `{*}` matches exactly one non-empty path
 * segment; a segment `{**}` matches zero or more characters across segments and must be the
 * last operator (literal segments may follow it). Matching walks the path once, no regex.
 */

const ONE = '{*}';
const ANY = '{**}';

export function isPathTemplate(path: string): boolean {
  return path.includes(ONE) || path.includes(ANY);
}

/** Why `path` is not a valid template, following Istio's validation; undefined when it is valid. */
export function pathTemplateProblem(path: string): string | undefined {
  const segments = path.split('/');
  let sawAny = false;
  for (const segment of segments) {
    if (segment === ONE || segment === ANY) {
      if (sawAny) return '{**} must be the last operator in a path template';
      if (segment === ANY) sawAny = true;
      continue;
    }
    if (/[*{}]/.test(segment)) {
      return `segment "${segment}" mixes an operator with other characters; a template segment is exactly {*} or {**}, and * { } may not appear elsewhere`;
    }
  }
  return undefined;
}

export interface PreparedPathTemplate {
  /** Segments before `{**}` (or all of them); null stands for `{*}`. */
  readonly head: readonly (string | null)[];
  readonly any: boolean;
  /** What must end the path after `{**}` (each later segment prefixed with `/`). */
  readonly tail: string;
}

export function preparePathTemplate(template: string): PreparedPathTemplate {
  const segments = template.split('/');
  const anyAt = segments.indexOf(ANY);
  const head = (anyAt === -1 ? segments : segments.slice(0, anyAt)).map((s) => (s === ONE ? null : s));
  const tail =
    anyAt === -1
      ? ''
      : segments
          .slice(anyAt + 1)
          .map((s) => `/${s}`)
          .join('');
  return { head, any: anyAt !== -1, tail };
}

/** Matches `path.slice(0, end)` without slicing. */
export function matchPathTemplate(t: PreparedPathTemplate, path: string, end: number): boolean {
  let pos = 0;
  const n = t.head.length;
  for (let i = 0; i < n; i++) {
    let segEnd = path.indexOf('/', pos);
    if (segEnd === -1 || segEnd > end) segEnd = end;
    const segment = t.head[i];
    if (segment === null) {
      if (segEnd === pos) return false;
    } else if (segEnd - pos !== (segment as string).length || !path.startsWith(segment as string, pos)) {
      return false;
    }
    if (i === n - 1 && !t.any) return segEnd === end;
    if (segEnd === end) return false;
    pos = segEnd + 1;
  }
  if (!t.any) return pos === end;
  return end - pos >= t.tail.length && path.startsWith(t.tail, end - t.tail.length);
}
