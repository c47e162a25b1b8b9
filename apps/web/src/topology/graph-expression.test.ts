import { describe, expect, it } from 'vitest';
import { matchesEdge, matchesNode, parseGraphExpression } from './graph-expression';
import { filterGraph } from './graph-filter';
import type { TopologyEdge, TopologyGraph, TopologyNode } from './graph-shape';

function node(id: string, namespace: string, name: string, rps = 0, errorsPerSecond = 0): TopologyNode {
  const idle = { requestsPerSecond: 0, errorsPerSecond: 0, bytesPerSecond: 0 };
  return {
    id,
    kind: 'workload',
    namespace,
    name,
    inMesh: true,
    idle: rps === 0,
    root: false,
    health: 'healthy',
    traffic: { inbound: { requestsPerSecond: rps, errorsPerSecond, bytesPerSecond: 0 }, outbound: idle },
  };
}

function edge(
  source: string,
  target: string,
  rps: number,
  errorRate: number | null,
  p99: number,
  policy: 'mutual_tls' | 'none',
): TopologyEdge {
  return {
    id: `${source}->${target}`,
    source,
    target,
    protocol: 'http',
    requestsPerSecond: rps,
    errorRate,
    latencyMs: { p50: p99 / 4, p95: p99 / 2, p99 },
    bytesPerSecond: 4096,
    security: { policy },
    health: 'healthy',
  };
}

const productpage = node('wl:demo/productpage-v1', 'demo', 'productpage-v1', 10);
const reviews = node('wl:demo/reviews-v2', 'demo', 'reviews-v2', 5, 0.5);
const legacy = node('wl:legacy/billing', 'legacy', 'billing', 2);
const nodes = new Map([productpage, reviews, legacy].map((n) => [n.id, n]));
const healthy = edge(productpage.id, reviews.id, 5, 0.001, 40, 'mutual_tls');
const failing = edge(reviews.id, legacy.id, 2, 0.05, 350, 'none');

function parse(text: string) {
  const parsed = parseGraphExpression(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
  return parsed.expression;
}

describe('find and hide expressions', () => {
  it('errors > 1% picks the failing edge, and reads a bare number as a percentage too', () => {
    expect(matchesEdge(parse('errors > 1%'), failing, nodes)).toBe(true);
    expect(matchesEdge(parse('errors > 1%'), healthy, nodes)).toBe(false);
    expect(matchesEdge(parse('errors >= 5'), failing, nodes)).toBe(true);
    // A node's error share comes from its inbound requests: 0.5 of 5 rps is 10%.
    expect(matchesNode(parse('errors > 1%'), reviews)).toBe(true);
    expect(matchesNode(parse('errors > 1%'), productpage)).toBe(false);
  });

  it('!mtls picks plaintext edges and no node; mtls the locked ones', () => {
    expect(matchesEdge(parse('!mtls'), failing, nodes)).toBe(true);
    expect(matchesEdge(parse('!mtls'), healthy, nodes)).toBe(false);
    expect(matchesEdge(parse('mtls'), healthy, nodes)).toBe(true);
    expect(matchesNode(parse('!mtls'), productpage)).toBe(false);
    // What a node cannot answer decides nothing: the name still counts in an `or`, and nothing in an `and`.
    expect(matchesNode(parse('name ~ billing or !mtls'), legacy)).toBe(true);
    expect(matchesNode(parse('name ~ billing and !mtls'), legacy)).toBe(false);
    expect(matchesNode(parse('!(p99 > 100)'), legacy)).toBe(false);
  });

  it('ns = demo matches demo nodes and the edges touching demo; ns != demo the rest', () => {
    expect(matchesNode(parse('ns = demo'), reviews)).toBe(true);
    expect(matchesNode(parse('ns = demo'), legacy)).toBe(false);
    expect(matchesEdge(parse('ns = demo'), failing, nodes)).toBe(true);
    expect(matchesNode(parse('ns != demo'), legacy)).toBe(true);
    expect(matchesEdge(parse('ns != demo'), failing, nodes)).toBe(false);
  });

  it('name ~ text is a case-insensitive contains; and binds tighter than or; parentheses group', () => {
    expect(matchesNode(parse('name ~ REVIEWS'), reviews)).toBe(true);
    expect(matchesNode(parse('name ~ reviews and rps > 7'), reviews)).toBe(false);
    expect(matchesNode(parse('name ~ billing or name ~ reviews and rps > 7'), legacy)).toBe(true);
    expect(matchesNode(parse('(name ~ billing or name ~ reviews) and rps > 7'), legacy)).toBe(false);
    expect(matchesNode(parse('not name ~ billing'), productpage)).toBe(true);
  });

  it('units convert: p99 in ms or s, bytes in KiB', () => {
    expect(matchesEdge(parse('p99 > 200ms'), failing, nodes)).toBe(true);
    expect(matchesEdge(parse('p99 > 0.3s'), failing, nodes)).toBe(true);
    expect(matchesEdge(parse('p99 > 200'), healthy, nodes)).toBe(false);
    expect(matchesEdge(parse('bytes >= 4KiB'), healthy, nodes)).toBe(true);
    expect(matchesEdge(parse('bytes > 4KiB'), healthy, nodes)).toBe(false);
    expect(matchesEdge(parse('rps < 3'), failing, nodes)).toBe(true);
  });

  it('explains what is wrong and where', () => {
    const cases: [string, string, number][] = [
      ['errors >', 'expected a number after errors at the end', 8],
      ['latency > 5', 'unknown "latency": use rps, errors, p99, bytes, ns, name or mtls', 0],
      ['rps > 5%', 'rps takes a plain number of requests per second, not "%"', 6],
      ['p99 > fast', 'p99 needs a number, not "fast"', 6],
      ['ns > demo', 'ns is compared with = != or ~ (contains), not ">"', 3],
      ['mtls rps > 1', 'unexpected "rps": join conditions with and / or', 5],
      ['(mtls or rps > 1', 'expected ")" at the end', 16],
      ['', 'the expression is empty', 0],
    ];
    for (const [text, message, at] of cases) expect(parseGraphExpression(text)).toEqual({ ok: false, error: { message, at } });
  });
});

describe('filterGraph', () => {
  const graph = {
    timestamp: 0,
    window: { seconds: 60 },
    graphType: 'workload',
    namespaces: [],
    nodes: [...nodes.values()],
    edges: [healthy, failing],
    telemetryBackend: 'embedded',
  } as TopologyGraph;

  it('hide removes matching nodes with their edges; find marks what is left', () => {
    const hidden = filterGraph(graph, parse('errors > 1%'), parse('ns = legacy'));
    expect(hidden.nodes.map((n) => n.id)).toEqual([productpage.id, reviews.id]);
    expect(hidden.edges.map((e) => e.id)).toEqual([healthy.id]);
    expect([...hidden.found]).toEqual([reviews.id]);
  });

  it('hiding !mtls drops the plaintext edge and keeps every node', () => {
    const filtered = filterGraph(graph, null, parse('!mtls'));
    expect(filtered.nodes).toHaveLength(3);
    expect(filtered.edges).toEqual([healthy]);
  });

  it('hiding "name ~ billing or !mtls" drops billing and every plaintext edge', () => {
    const filtered = filterGraph(graph, null, parse('name ~ billing or !mtls'));
    expect(filtered.nodes.map((n) => n.id)).toEqual([productpage.id, reviews.id]);
    expect(filtered.edges).toEqual([healthy]);
  });

  it('without expressions the graph arrays pass through unchanged', () => {
    const same = filterGraph(graph, null, null);
    expect(same.nodes).toBe(graph.nodes);
    expect(same.edges).toBe(graph.edges);
  });
});
