'use client';

import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { TopologyNode } from './graph-shape';

/** Find marks what matched and dims the rest; undefined when nothing is being found. */
export type FindMark = 'found' | 'dimmed' | undefined;

export type MeshNodeType = Node<{ node: TopologyNode; mark: FindMark }, 'mesh'>;

const KIND_LABEL: Record<TopologyNode['kind'], string> = {
  workload: 'workload',
  app: 'app',
  service: 'service',
  waypoint: 'waypoint',
  ztunnel: 'ztunnel',
  unknown: 'unknown peer',
  external: 'external',
};

/** What a screen reader says for a node (React Flow puts it on the focusable wrapper). */
export function describeNode(node: TopologyNode): string {
  return `${KIND_LABEL[node.kind]} ${node.namespace ? `${node.namespace}/` : ''}${node.name}, health ${node.health}`;
}

/** Whether a refreshed node draws the same as before, so its old React Flow node (and render) can be kept. */
export function drawsTheSame(a: TopologyNode, b: TopologyNode): boolean {
  return a.name === b.name && a.kind === b.kind && a.namespace === b.namespace && a.version === b.version && a.health === b.health;
}

/** Memoized: a live refresh that changes only edge numbers does not re-render a thousand nodes. */
export const MeshNode = memo(function MeshNode({ data, selected }: NodeProps<MeshNodeType>) {
  const { node, mark } = data;
  return (
    <div
      className={`mesh-node health-${node.health}${selected ? ' selected' : ''}${mark ? ` mark-${mark}` : ''}`}
      data-testid="topology-node"
      data-mark={mark}
    >
      <Handle type="target" position={Position.Left} />
      <div className="kind">
        {KIND_LABEL[node.kind]}
        {node.namespace ? ` · ${node.namespace}` : ''}
      </div>
      <div>
        {node.name}
        {node.version ? <span className="muted"> {node.version}</span> : null}
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});
