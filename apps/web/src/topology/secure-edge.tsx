'use client';

import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getBezierPath, type ReactFlowState, useStore } from '@xyflow/react';
import { memo } from 'react';
import type { FindMark } from './mesh-node';
import { SecurityIcon } from './security-icon';

/** `moving`: traffic flows and animation is on (drawn only when zoomed in enough to see it). */
export type SecureEdgeType = Edge<{ label: string; mtls: boolean; mark: FindMark; moving: boolean }, 'secure'>;

/** Below this zoom labels are unreadable; leaving them out keeps pan and zoom of a big graph fluid. */
const LABEL_MIN_ZOOM = 0.45;
const labelsReadable = (state: ReactFlowState) => state.transform[2] >= LABEL_MIN_ZOOM;

/** An edge with a lock when both ends proved their identity (mTLS) and a clear mark when traffic was plaintext. */
export const SecureEdge = memo(function SecureEdge(props: EdgeProps<SecureEdgeType>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, data } = props;
  const showLabel = useStore(labelsReadable);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const mtls = data?.mtls ?? false;
  const mark = data?.mark;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={`${mark ? `mark-${mark}` : ''}${data?.moving && showLabel ? ' traffic' : ''}` || undefined}
        {...(markerEnd ? { markerEnd } : {})}
        style={mtls ? undefined : { strokeDasharray: '6 4', stroke: 'var(--bad)' }}
      />
      {showLabel || mark === 'found' ? (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${mtls ? '' : ' plaintext'}${mark ? ` mark-${mark}` : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            title={mtls ? 'mutual TLS' : 'plaintext: not authenticated, not encrypted'}
            data-security={mtls ? 'mtls' : 'plaintext'}
            data-testid="edge-label"
          >
            <SecurityIcon mtls={mtls} /> {data?.label ?? ''}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
});
