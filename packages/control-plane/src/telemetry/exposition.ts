/**
 * Parser of the Prometheus text exposition format (version 0.0.4), the format every proxy serves
 * on :15020: `# HELP` / `# TYPE` lines, other comments, and samples
 * `name{label="value",...} value [timestamp]` with `\\`, `\"` and `\n` escapes in label values,
 * an optional trailing comma, and Go float syntax for values (`NaN`, `+Inf`, `-Inf`). Like
 * Prometheus, a malformed line fails the whole exposition, naming the line.
 */
import { AmbitError } from '@ambit/shared/errors';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/**
 * One sample line. Its labels are validated while parsing but built only when first read: a
 * scraper that knows the series by its text never pays for them.
 */
export class ExpositionSample {
  private parsed: Record<string, string> | undefined;

  constructor(
    /** `name{labels}` exactly as written: a cheap identity of the series between scrapes of one target. */
    readonly series: string,
    readonly name: string,
    readonly value: number,
    readonly timestampMs: number | undefined,
    /** Index of `{` in `series`, or -1. */
    private readonly labelsAt: number,
  ) {}

  /** Null-prototype object, so any label name (even `__proto__`) is plain data. */
  get labels(): Record<string, string> {
    if (this.parsed === undefined) {
      const labels: Record<string, string> = Object.create(null);
      if (this.labelsAt >= 0) {
        const p = new LineParser(this.series);
        p.end = this.series.length;
        p.pos = this.labelsAt;
        p.labels(labels);
      }
      this.parsed = labels;
    }
    return this.parsed;
  }
}

export interface MetricFamily {
  readonly name: string;
  type?: MetricType;
  help?: string;
}

export interface Exposition {
  readonly samples: ExpositionSample[];
  /** From HELP and TYPE lines, by family name. */
  readonly families: Map<string, MetricFamily>;
}

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const OPEN = 123;
const CLOSE = 125;
const EQUALS = 61;
const QUOTE = 34;
const COMMA = 44;
const BACKSLASH = 92;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** `[a-zA-Z_:]` first, then also digits; labels without the colon. */
function isNameChar(c: number, first: boolean, colon: boolean): boolean {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return true;
  if (colon && c === 58) return true;
  return !first && c >= 48 && c <= 57;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A value as Go's ParseFloat reads it (decimal forms, NaN, ±Inf, ±Infinity, any case); undefined if not a number. */
export function parseGoFloat(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  const lower = token.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  const unsigned = lower[0] === '+' || lower[0] === '-' ? lower.slice(1) : lower;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return undefined;
}

class LineParser {
  pos = 0;
  end = 0;
  line = 0;

  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new AmbitError('InvalidDocument', `metrics exposition line ${this.line}: ${message}`, [{ line: this.line, message }]);
  }

  /** The character at `pos`, or -1 at the end of the line. */
  peek(): number {
    return this.pos < this.end ? this.text.charCodeAt(this.pos) : -1;
  }

  skipBlanks(): void {
    while (this.pos < this.end && isBlank(this.text.charCodeAt(this.pos))) this.pos++;
  }

  skipName(colon: boolean, what: string): void {
    if (this.pos >= this.end || !isNameChar(this.text.charCodeAt(this.pos), true, colon)) this.fail(`expected ${what}`);
    this.pos++;
    while (this.pos < this.end && isNameChar(this.text.charCodeAt(this.pos), false, colon)) this.pos++;
  }

  name(colon: boolean, what: string): string {
    const start = this.pos;
    this.skipName(colon, what);
    return this.text.slice(start, this.pos);
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.end && !isBlank(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /**
   * A quoted label value; `pos` is just past the opening quote. Returns the unescaped body when
   * `build`, else only checks it and returns ''.
   */
  quoted(build: boolean): string {
    const text = this.text;
    let start = this.pos;
    let out = '';
    while (this.pos < this.end) {
      const c = text.charCodeAt(this.pos);
      if (c === QUOTE) {
        const value = build ? out + text.slice(start, this.pos) : '';
        this.pos++;
        return value;
      }
      if (c === BACKSLASH && this.pos + 1 < this.end) {
        const next = text.charCodeAt(this.pos + 1);
        const replacement = next === BACKSLASH ? '\\' : next === QUOTE ? '"' : next === 110 ? '\n' : undefined;
        if (replacement !== undefined) {
          if (build) out += text.slice(start, this.pos) + replacement;
          this.pos += 2;
          start = this.pos;
          continue;
        }
      }
      this.pos++;
    }
    return this.fail('unterminated label value');
  }

  /**
   * The label set at `pos` (on its `{`), up to just past its `}`: checked, and written into `out`
   * when given. Without `out`, repeated names are found by comparing the spans of names seen.
   */
  labels(out?: Record<string, string>): void {
    const text = this.text;
    let count = 0;
    this.pos++; // past '{'
    for (;;) {
      this.skipBlanks();
      if (this.peek() === CLOSE) break;
      const nameStart = this.pos;
      this.skipName(false, 'a label name');
      const nameEnd = this.pos;
      if (out === undefined) {
        if (this.seenName(nameStart, nameEnd, count)) this.fail(`label ${text.slice(nameStart, nameEnd)} appears twice`);
        if (count < MAX_CHECKED_LABELS) {
          NAME_STARTS[count] = nameStart;
          NAME_ENDS[count] = nameEnd;
        }
        count++;
      }
      this.skipBlanks();
      if (this.peek() !== EQUALS) this.fail(`expected "=" after label ${text.slice(nameStart, nameEnd)}`);
      this.pos++;
      this.skipBlanks();
      if (this.peek() !== QUOTE) this.fail(`expected a quoted value for label ${text.slice(nameStart, nameEnd)}`);
      this.pos++;
      const value = this.quoted(out !== undefined);
      if (out !== undefined) {
        const name = text.slice(nameStart, nameEnd);
        if (name in out) this.fail(`label ${name} appears twice`);
        out[name] = value;
      }
      this.skipBlanks();
      const c = this.peek();
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c !== CLOSE) this.fail('expected "," or "}" in the label set');
      break;
    }
    this.pos++; // past '}'
  }

  private seenName(start: number, end: number, count: number): boolean {
    const text = this.text;
    const length = end - start;
    const checked = Math.min(count, MAX_CHECKED_LABELS);
    outer: for (let i = 0; i < checked; i++) {
      const s = NAME_STARTS[i] as number;
      if ((NAME_ENDS[i] as number) - s !== length) continue;
      for (let k = 0; k < length; k++) if (text.charCodeAt(s + k) !== text.charCodeAt(start + k)) continue outer;
      return true;
    }
    return false;
  }
}

/** Spans of the label names of the line being checked (more labels than this are not checked for repeats). */
const MAX_CHECKED_LABELS = 64;
const NAME_STARTS = new Int32Array(MAX_CHECKED_LABELS);
const NAME_ENDS = new Int32Array(MAX_CHECKED_LABELS);

export function parseExposition(text: string): Exposition {
  const samples: ExpositionSample[] = [];
  const families = new Map<string, MetricFamily>();
  const p: LineParser = new LineParser(text);
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name };
      families.set(name, f);
    }
    return f;
  };
  let lineStart = 0;
  while (lineStart < text.length) {
    p.line++;
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const next = lineEnd + 1;
    if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    p.pos = lineStart;
    p.end = lineEnd;
    lineStart = next;
    p.skipBlanks();
    if (p.pos >= p.end) continue;

    if (text.charCodeAt(p.pos) === HASH) {
      p.pos++;
      p.skipBlanks();
      const keyword = p.token();
      if (keyword !== 'HELP' && keyword !== 'TYPE') continue; // any other comment
      p.skipBlanks();
      const name = p.name(true, 'a metric name');
      if (keyword === 'TYPE') {
        p.skipBlanks();
        const type = p.token();
        if (!TYPES.has(type)) p.fail(`unknown metric type "${type}"`);
        family(name).type = type as MetricType;
      } else {
        if (p.pos < p.end && isBlank(text.charCodeAt(p.pos))) p.pos++;
        family(name).help = text.slice(p.pos, p.end).replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      }
      continue;
    }

    const start = p.pos;
    const name = p.name(true, 'a metric name');
    const afterName = p.pos;
    p.skipBlanks();
    let labelsAt = -1;
    if (p.peek() === OPEN) {
      labelsAt = p.pos - start;
      p.labels();
    } else p.pos = afterName;
    const series = text.slice(start, p.pos);
    if (p.pos >= p.end || !isBlank(text.charCodeAt(p.pos))) p.fail(`expected a value after ${name}`);
    p.skipBlanks();
    const valueToken = p.token();
    const value = parseGoFloat(valueToken);
    if (value === undefined) p.fail(`"${valueToken}" is not a number`);
    p.skipBlanks();
    let timestampMs: number | undefined;
    if (p.pos < p.end) {
      const ts = p.token();
      if (!/^-?\d+$/.test(ts)) p.fail(`"${ts}" is not a timestamp in milliseconds`);
      timestampMs = Number(ts);
      p.skipBlanks();
      if (p.pos < p.end) p.fail(`unexpected text after the timestamp: "${text.slice(p.pos, p.end)}"`);
    }
    samples.push(new ExpositionSample(series, name, value as number, timestampMs, labelsAt));
  }
  return { samples, families };
}
