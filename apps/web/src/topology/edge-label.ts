import type { TopologyEdge } from './graph-shape';
import type { EdgeLabelMode } from './view-state';

function formatBytes(bytes: number): string {
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

function formatRate(edge: TopologyEdge): string {
  if (edge.protocol === 'tcp') return `${formatBytes(edge.bytesPerSecond)}/s`;
  const rps = edge.requestsPerSecond;
  return `${rps < 10 ? rps.toFixed(2) : Math.round(rps)} rps`;
}

const SECURITY_TEXT: Record<TopologyEdge['security']['policy'], string> = {
  mutual_tls: 'mTLS',
  none: 'plaintext',
  mixed: 'partly plaintext',
  unknown: 'security unknown',
};

/** Whether the edge gets the lock: every byte of it was mutual TLS. */
export function isMutualTls(edge: TopologyEdge): boolean {
  return edge.security.policy === 'mutual_tls';
}

/** The text on an edge for the chosen label mode; the lock or plaintext mark is drawn beside it. */
export function edgeLabel(edge: TopologyEdge, mode: EdgeLabelMode): string {
  switch (mode) {
    case 'rate':
      return formatRate(edge);
    case 'errors':
      return edge.errorRate === null ? '—' : `${(edge.errorRate * 100).toFixed(edge.errorRate < 0.1 ? 1 : 0)}% err`;
    case 'latency':
      return edge.latencyMs ? `p50 ${Math.round(edge.latencyMs.p50)} / p99 ${Math.round(edge.latencyMs.p99)} ms` : '—';
    case 'security':
      return SECURITY_TEXT[edge.security.policy];
  }
}
