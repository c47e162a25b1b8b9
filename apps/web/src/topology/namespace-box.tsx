'use client';

import type { Node, NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { TopologyGraph } from './graph-shape';

export type NamespaceBoxType = Node<{ box: TopologyGraph['namespaces'][number] }, 'namespace'>;

/** A namespace's box: its nodes sit inside it (React Flow `parentId`), its name and health on top. */
export const NamespaceBox = memo(function NamespaceBox({ data }: NodeProps<NamespaceBoxType>) {
  const { box } = data;
  return (
    <div className={`namespace-box health-${box.health}`} data-testid="namespace-box" data-namespace={box.name}>
      <span className="namespace-name">
        {box.name}
        {box.ambient ? <span className="muted"> · ambient</span> : null}
      </span>
    </div>
  );
});
