'use client';

import Link from 'next/link';
import { edgeLabel, isMutualTls } from './edge-label';
import type { TopologyGraph, TopologyNode } from './graph-shape';

function pageOf(node: TopologyNode): string | null {
  if (!node.namespace) return null;
  const path = `${encodeURIComponent(node.namespace)}/${encodeURIComponent(node.name)}`;
  if (node.kind === 'service') return `/services/${path}`;
  // Workload nodes are groups of pods (a Deployment's), while /workloads/<ns>/<name> is one pod.
  if (node.kind === 'workload' || node.kind === 'app') return '/workloads';
  return null;
}

/** Details of the selected node: what it is, and every edge in and out with its security. */
export function NodePanel({ graph, node, onClose }: { graph: TopologyGraph; node: TopologyNode; onClose: () => void }) {
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  const touching = graph.edges.filter((e) => e.source === node.id || e.target === node.id);
  const link = pageOf(node);
  return (
    <aside className="card topology-panel" aria-label={`Details of ${node.name}`} data-testid="node-panel">
      <button type="button" className="button subtle" onClick={onClose} aria-label="Close details">
        ✕
      </button>
      <h2>{node.name}</h2>
      <dl>
        <dt>Kind</dt>
        <dd>{node.kind}</dd>
        <dt>Namespace</dt>
        <dd>{node.namespace || '—'}</dd>
        <dt>App / version</dt>
        <dd>
          {node.app ?? '—'} / {node.version ?? '—'}
        </dd>
        <dt>Health</dt>
        <dd>
          {node.health}
          {node.healthReasons.length > 0 ? ` (${node.healthReasons.join('; ')})` : ''}
        </dd>
        <dt>In the mesh</dt>
        <dd>{node.inMesh ? 'yes (ambient)' : 'no'}</dd>
        {node.principals?.length ? (
          <>
            <dt>Identities</dt>
            <dd>{node.principals.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      {link ? <Link href={link}>{node.kind === 'service' ? 'Open the service page' : 'Open the workloads list'}</Link> : null}
      <h3>Traffic</h3>
      {touching.length === 0 ? (
        <p className="muted">No traffic in this window.</p>
      ) : (
        <ul>
          {touching.map((e) => (
            <li key={e.id}>
              {e.source === node.id ? `→ ${names.get(e.target) ?? e.target}` : `← ${names.get(e.source) ?? e.source}`}:{' '}
              {edgeLabel(e, 'rate')}, {edgeLabel(e, 'errors')},{' '}
              {isMutualTls(e)
                ? `mTLS ${e.security.sourcePrincipals.join(' ') || '?'} → ${e.security.destinationPrincipals.join(' ') || '?'}`
                : edgeLabel(e, 'security')}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
