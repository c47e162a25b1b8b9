'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { edgeLabel, isMutualTls } from './edge-label';
import type { GraphType, GraphWindow, TopologyGraph, TopologyNode } from './graph-shape';

/** The graph the panel's node belongs to, as the page asked for it. */
export interface GraphRequest {
  window: GraphWindow;
  graphType: GraphType;
  at: number | null;
}

function pageOf(node: TopologyNode): string | null {
  if (!node.namespace) return null;
  const path = `${encodeURIComponent(node.namespace)}/${encodeURIComponent(node.name)}`;
  if (node.kind === 'service') return `/services/${path}`;
  // Workload nodes are groups of pods (a Deployment's), while /workloads/<ns>/<name> is one pod.
  if (node.kind === 'workload' || node.kind === 'app') return '/workloads';
  return null;
}

/**
 * Details of the selected node: what it is at once (from the drawn graph), and its health reasons, identities and every
 * edge in and out with its security as soon as topology.node answers (the drawn graph leaves them out to stay small).
 */
export function NodePanel({
  graph,
  node,
  request,
  onClose,
}: {
  graph: TopologyGraph;
  node: TopologyNode;
  request: GraphRequest;
  onClose: () => void;
}) {
  const details = useQuery({
    // The graph's timestamp in the key: a live refresh refreshes the details too.
    queryKey: ['topology.node', request.window, request.graphType, request.at, node.id, graph.timestamp],
    queryFn: () =>
      api.topology.node.query(
        request.at === null
          ? { window: request.window, graphType: request.graphType, id: node.id }
          : { window: request.window, graphType: request.graphType, at: request.at, id: node.id },
      ),
    placeholderData: (previous) => (previous?.node?.id === node.id ? previous : undefined),
  });
  const full = details.data?.node ?? null;
  const touching = details.data?.edges ?? [];
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
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
          {full && full.healthReasons.length > 0 ? ` (${full.healthReasons.join('; ')})` : ''}
        </dd>
        <dt>In the mesh</dt>
        <dd>{node.inMesh ? 'yes (ambient)' : 'no'}</dd>
        {full?.principals?.length ? (
          <>
            <dt>Identities</dt>
            <dd>{full.principals.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      {link ? <Link href={link}>{node.kind === 'service' ? 'Open the service page' : 'Open the workloads list'}</Link> : null}
      <h3>Traffic</h3>
      {details.isError ? (
        <p className="error" role="alert">
          Could not load the details: {errorMessage(details.error)}
        </p>
      ) : !details.data ? (
        <p className="muted" role="status">
          Loading the details…
        </p>
      ) : touching.length === 0 ? (
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
