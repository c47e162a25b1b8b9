'use client';

import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo } from 'react';

export type SecureEdgeType = Edge<{ label: string; mtls: boolean }, 'secure'>;

/** An edge with a lock when both ends proved their identity (mTLS) and a clear mark when traffic was plaintext. */
export const SecureEdge = memo(function SecureEdge(props: EdgeProps<SecureEdgeType>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, data } = props;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const mtls = data?.mtls ?? false;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        {...(markerEnd ? { markerEnd } : {})}
        style={mtls ? undefined : { strokeDasharray: '6 4', stroke: 'var(--bad)' }}
      />
      <EdgeLabelRenderer>
        <div
          className={`edge-label${mtls ? '' : ' plaintext'}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          title={mtls ? 'mutual TLS' : 'plaintext: not authenticated, not encrypted'}
          data-security={mtls ? 'mtls' : 'plaintext'}
        >
          <span role="img" aria-label={mtls ? 'mutual TLS' : 'plaintext'}>
            {mtls ? '🔒' : '⚠'}
          </span>{' '}
          {data?.label ?? ''}
        </div>
      </EdgeLabelRenderer>
    </>
  );
});
