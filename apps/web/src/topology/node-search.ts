/**
 * What the node finder lists for what was typed: nodes whose name (or namespace, or version) matches every word,
 * best first, at most a page of them. `ns/name` (or `ns/` alone) keeps to namespaces starting with `ns`.
 */
import type { TopologyNode } from './graph-shape';

export type SearchableNode = Pick<TopologyNode, 'id' | 'kind' | 'namespace' | 'name' | 'version'>;

/** A node with its lower-cased words, made once per graph rather than once per keystroke. */
interface IndexedNode<T extends SearchableNode> {
  node: T;
  name: string;
  namespace: string;
  version: string;
}

export interface NodeSearchIndex<T extends SearchableNode> {
  /** Sorted by namespace, then name: the order of an empty search and of ties. */
  entries: IndexedNode<T>[];
}

export interface NodeSearchResult<T extends SearchableNode> {
  /** At most the limit, best first. */
  shown: T[];
  /** How many nodes match in all. */
  total: number;
}

const NO_MATCH = -1;
/** Characters after which a new word of a name starts (`reviews-v2`, `api.example.com`). */
const WORD_BREAKS = '-._:/ ';

/** Between nodes of the same name (a workload and its service), what runs comes first, then what routes, then what is outside. */
const KIND_ORDER: Record<SearchableNode['kind'], number> = {
  workload: 0,
  app: 1,
  service: 2,
  waypoint: 3,
  ztunnel: 4,
  external: 5,
  unknown: 6,
};

function byPlace<T extends SearchableNode>(a: IndexedNode<T>, b: IndexedNode<T>): number {
  return (
    a.namespace.localeCompare(b.namespace) ||
    a.name.localeCompare(b.name) ||
    KIND_ORDER[a.node.kind] - KIND_ORDER[b.node.kind] ||
    a.version.localeCompare(b.version)
  );
}

export function indexForSearch<T extends SearchableNode>(nodes: readonly T[]): NodeSearchIndex<T> {
  const entries = nodes.map((node) => ({
    node,
    name: node.name.toLowerCase(),
    namespace: node.namespace.toLowerCase(),
    version: (node.version ?? '').toLowerCase(),
  }));
  entries.sort(byPlace);
  return { entries };
}

/** 0 for the whole name, 1 for its start, 2 for the start of one of its words, 3 anywhere inside; NO_MATCH otherwise. */
function nameRank(name: string, word: string): number {
  if (name === word) return 0;
  if (name.startsWith(word)) return 1;
  let at = name.indexOf(word, 1);
  if (at < 0) return NO_MATCH;
  while (at >= 0) {
    if (WORD_BREAKS.includes(name[at - 1] ?? '')) return 2;
    at = name.indexOf(word, at + 1);
  }
  return 3;
}

/** A word that is not in the name may name the version (4) or the namespace (5 whole, 6 its start, 7 inside). */
function otherRank(entry: IndexedNode<SearchableNode>, word: string): number {
  if (entry.version !== '' && entry.version.startsWith(word)) return 4;
  if (entry.namespace === word) return 5;
  if (entry.namespace.startsWith(word)) return 6;
  if (entry.namespace.includes(word)) return 7;
  return NO_MATCH;
}

/** `ns/name`: the namespace must start with `ns` (a whole one ranks first), the rest is looked for in the name. */
function qualifiedRank(entry: IndexedNode<SearchableNode>, word: string, slash: number): number {
  const namespace = word.slice(0, slash);
  const name = word.slice(slash + 1);
  if (!entry.namespace.startsWith(namespace)) return NO_MATCH;
  const inNamespace = entry.namespace === namespace ? 0 : 1;
  if (name === '') return inNamespace;
  const rank = nameRank(entry.name, name);
  return rank === NO_MATCH ? NO_MATCH : rank + inNamespace;
}

/** The node's rank for `words` (lower is better), NO_MATCH unless every word matches. */
function rankOf(entry: IndexedNode<SearchableNode>, words: readonly string[]): number {
  let total = 0;
  for (const word of words) {
    const slash = word.indexOf('/');
    let rank: number;
    if (slash >= 0) rank = qualifiedRank(entry, word, slash);
    else {
      rank = nameRank(entry.name, word);
      if (rank === NO_MATCH) rank = otherRank(entry, word);
    }
    if (rank === NO_MATCH) return NO_MATCH;
    total += rank;
  }
  return total;
}

/**
 * The nodes matching `query` (case-insensitive words separated by spaces), best first: a whole name, then a name's start,
 * a word's start, anywhere in the name, then version and namespace matches; ties go shorter name first, then by namespace,
 * name and kind (a workload before its service of the same name).
 * An empty query lists every node by namespace and name.
 */
export function searchNodes<T extends SearchableNode>(index: NodeSearchIndex<T>, query: string, limit: number): NodeSearchResult<T> {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { shown: index.entries.slice(0, limit).map((e) => e.node), total: index.entries.length };
  const found: { entry: IndexedNode<T>; rank: number }[] = [];
  for (const entry of index.entries) {
    const rank = rankOf(entry, words);
    if (rank !== NO_MATCH) found.push({ entry, rank });
  }
  // Stable sort over entries already in place order: equal ranks and lengths keep namespace/name order.
  found.sort((a, b) => a.rank - b.rank || a.entry.name.length - b.entry.name.length);
  return { shown: found.slice(0, limit).map((f) => f.entry.node), total: found.length };
}
