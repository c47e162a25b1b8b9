/**
 * Find and hide expressions for the topology, as a small language parsed once and evaluated per node and edge.
 *
 *   expression := term ('or' term)*
 *   term       := factor ('and' factor)*
 *   factor     := ('!' | 'not') factor | '(' expression ')' | 'mtls' | comparison
 *   comparison := number-field op number unit?   rps, errors (%), p99 (ms or s), bytes (B, KiB, MiB per second)
 *               | text-field ('=' | '!=') word    ns, name  (exact)
 *               | text-field '~' word             ns, name  (contains, ignoring case)
 *   op         := '>' | '>=' | '<' | '<=' | '=' | '!='
 *
 * Examples: `errors > 1%`, `!mtls`, `ns = demo`, `name ~ reviews and p99 > 200ms`, `rps < 0.5 or !mtls`.
 * An edge takes its numbers from its own traffic; a node from its inbound traffic. A test an element cannot answer
 * (p99 or mtls of a node, errors without requests) is unknown, and unknown stays unknown through `!` and decides
 * nothing in `and`/`or` (Kleene logic); an element matches only when the whole is true. So `!mtls` hides plaintext
 * edges and no node, while `name ~ ratings or !mtls` hides ratings too.
 * A text test matches an edge when either end matches, so `ns = demo` finds the edges touching demo.
 */
import type { TopologyEdge, TopologyNode } from './graph-shape';

type NumberField = 'rps' | 'errors' | 'p99' | 'bytes';
type TextField = 'ns' | 'name';
type NumberOp = '>' | '>=' | '<' | '<=' | '=' | '!=';

export type GraphExpression =
  | { kind: 'or' | 'and'; left: GraphExpression; right: GraphExpression }
  | { kind: 'not'; operand: GraphExpression }
  | { kind: 'mtls' }
  | { kind: 'number'; field: NumberField; op: NumberOp; value: number }
  | { kind: 'text'; field: TextField; op: '=' | '!=' | '~'; value: string };

export interface ExpressionError {
  message: string;
  /** Character offset where the problem starts. */
  at: number;
}

export type ParsedExpression = { ok: true; expression: GraphExpression } | { ok: false; error: ExpressionError };

interface Token {
  text: string;
  at: number;
}

const NUMBER_FIELDS: readonly string[] = ['rps', 'errors', 'p99', 'bytes'];
const TEXT_FIELDS: readonly string[] = ['ns', 'name'];
const FIELDS_HINT = 'rps, errors, p99, bytes, ns, name or mtls';
const TOKEN = /\s*(>=|<=|!=|[><=~!()]|[^\s><=~!()]+)/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) {
      // Only trailing whitespace is left.
      if (text.slice(start).trim() === '') break;
      throw { message: `unexpected "${text.slice(start).trim()}"`, at: start } satisfies ExpressionError;
    }
    const word = match[1] as string;
    tokens.push({ text: word, at: match.index + match[0].length - word.length });
  }
  return tokens;
}

/** A number with its unit, converted to the unit the graph uses: errors 0–1, p99 ms, bytes per second. */
function numberValue(field: NumberField, token: Token): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)([a-zA-Z%/]*)$/.exec(token.text);
  if (!match) throw { message: `${field} needs a number, not "${token.text}"`, at: token.at } satisfies ExpressionError;
  const value = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  const wrong = (allowed: string): ExpressionError => ({ message: `${field} takes ${allowed}, not "${match[2]}"`, at: token.at });
  switch (field) {
    case 'rps':
      if (unit !== '') throw wrong('a plain number of requests per second');
      return value;
    case 'errors':
      if (unit !== '' && unit !== '%') throw wrong('a percentage such as 1%');
      return value / 100;
    case 'p99':
      if (unit === '' || unit === 'ms') return value;
      if (unit === 's') return value * 1000;
      throw wrong('milliseconds such as 200ms');
    case 'bytes': {
      const scale: Record<string, number> = { '': 1, b: 1, kib: 1024, kb: 1000, mib: 1_048_576, mb: 1_000_000 };
      const factor = scale[unit.replace(/\/s$/, '')];
      if (factor === undefined) throw wrong('bytes per second such as 10KiB');
      return value * factor;
    }
  }
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly length: number,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.index];
    if (!token) throw { message: `expected ${expected} at the end`, at: this.length } satisfies ExpressionError;
    this.index++;
    return token;
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    if (token && token.text.toLowerCase() === word) {
      this.index++;
      return true;
    }
    return false;
  }

  parse(): GraphExpression {
    const expression = this.or();
    const rest = this.peek();
    if (rest) throw { message: `unexpected "${rest.text}": join conditions with and / or`, at: rest.at } satisfies ExpressionError;
    return expression;
  }

  private or(): GraphExpression {
    let left = this.and();
    while (this.keyword('or') || this.keyword('||')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): GraphExpression {
    let left = this.factor();
    while (this.keyword('and') || this.keyword('&&')) left = { kind: 'and', left, right: this.factor() };
    return left;
  }

  private factor(): GraphExpression {
    const token = this.next(FIELDS_HINT);
    const word = token.text.toLowerCase();
    if (word === '!' || word === 'not') return { kind: 'not', operand: this.factor() };
    if (word === '(') {
      const inner = this.or();
      const close = this.next('")"');
      if (close.text !== ')') throw { message: `expected ")" instead of "${close.text}"`, at: close.at } satisfies ExpressionError;
      return inner;
    }
    if (word === 'mtls') return { kind: 'mtls' };
    if (NUMBER_FIELDS.includes(word)) {
      const field = word as NumberField;
      const op = this.next('a comparison (> >= < <= = !=)');
      if (!['>', '>=', '<', '<=', '=', '!='].includes(op.text)) {
        throw { message: `${field} is compared with > >= < <= = or !=, not "${op.text}"`, at: op.at } satisfies ExpressionError;
      }
      return { kind: 'number', field, op: op.text as NumberOp, value: numberValue(field, this.next(`a number after ${field}`)) };
    }
    if (TEXT_FIELDS.includes(word)) {
      const field = word as TextField;
      const op = this.next('=, != or ~');
      if (op.text !== '=' && op.text !== '!=' && op.text !== '~') {
        throw { message: `${field} is compared with = != or ~ (contains), not "${op.text}"`, at: op.at } satisfies ExpressionError;
      }
      const value = this.next(`a name after ${field} ${op.text}`);
      if (/^[()]$/.test(value.text)) throw { message: `expected a name, not "${value.text}"`, at: value.at } satisfies ExpressionError;
      return { kind: 'text', field, op: op.text, value: value.text };
    }
    throw { message: `unknown "${token.text}": use ${FIELDS_HINT}`, at: token.at } satisfies ExpressionError;
  }
}

/** Parses a find or hide expression; an empty one is an error the caller shows as "nothing to find". */
export function parseGraphExpression(text: string): ParsedExpression {
  try {
    const tokens = tokenize(text);
    if (tokens.length === 0) return { ok: false, error: { message: 'the expression is empty', at: 0 } };
    return { ok: true, expression: new Parser(tokens, text.length).parse() };
  } catch (error) {
    if (error && typeof error === 'object' && 'message' in error && 'at' in error) return { ok: false, error: error as ExpressionError };
    throw error;
  }
}

/** The numbers and names an expression reads; undefined where the element has none (the comparison is false). */
interface Facts {
  rps: number;
  errors: number | undefined;
  p99: number | undefined;
  bytes: number;
  mtls: boolean | undefined;
  names: readonly (TopologyNode | undefined)[];
}

function compare(a: number, op: NumberOp, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function textMatches(node: TopologyNode | undefined, field: TextField, op: '=' | '!=' | '~', value: string): boolean {
  if (!node) return false;
  const text = field === 'ns' ? node.namespace : node.name;
  if (op === '~') return text.toLowerCase().includes(value.toLowerCase());
  return op === '=' ? text === value : text !== value;
}

/** true, false, or null when the element has nothing to answer the test with. */
function evaluate(expression: GraphExpression, facts: Facts): boolean | null {
  switch (expression.kind) {
    case 'or': {
      const left = evaluate(expression.left, facts);
      if (left === true) return true;
      const right = evaluate(expression.right, facts);
      return right === true ? true : left === null || right === null ? null : false;
    }
    case 'and': {
      const left = evaluate(expression.left, facts);
      if (left === false) return false;
      const right = evaluate(expression.right, facts);
      return right === false ? false : left === null || right === null ? null : true;
    }
    case 'not': {
      const operand = evaluate(expression.operand, facts);
      return operand === null ? null : !operand;
    }
    case 'mtls':
      return facts.mtls ?? null;
    case 'number': {
      const value = facts[expression.field];
      return value === undefined ? null : compare(value, expression.op, expression.value);
    }
    case 'text':
      // `!=` means none of the ends is that name; the others match when any end does.
      if (expression.op === '!=') return facts.names.every((n) => textMatches(n, expression.field, '!=', expression.value));
      return facts.names.some((n) => textMatches(n, expression.field, expression.op, expression.value));
  }
}

export function matchesNode(expression: GraphExpression, node: TopologyNode): boolean {
  const inbound = node.traffic.inbound;
  const result = evaluate(expression, {
    rps: inbound.requestsPerSecond,
    errors: inbound.requestsPerSecond > 0 ? inbound.errorsPerSecond / inbound.requestsPerSecond : undefined,
    p99: undefined,
    bytes: inbound.bytesPerSecond,
    mtls: undefined,
    names: [node],
  });
  return result === true;
}

export function matchesEdge(expression: GraphExpression, edge: TopologyEdge, nodes: ReadonlyMap<string, TopologyNode>): boolean {
  const result = evaluate(expression, {
    rps: edge.requestsPerSecond,
    errors: edge.errorRate ?? undefined,
    p99: edge.latencyMs?.p99,
    bytes: edge.bytesPerSecond,
    mtls: edge.security.policy === 'mutual_tls',
    names: [nodes.get(edge.source), nodes.get(edge.target)],
  });
  return result === true;
}
