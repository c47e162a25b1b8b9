'use client';

import { BaseEdge, type Edge, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo } from 'react';
import { createPortal } from 'react-dom';
import { useLabelLayer } from './label-layer';
import type { FindMark } from './mesh-node';
import { SecurityIcon } from './security-icon';

/** `moving`: traffic flows and animation is on (drawn only when zoomed in enough to see it). */
export type SecureEdgeType = Edge<{ label: string; mtls: boolean; mark: FindMark; moving: boolean }, 'secure'>;

const PLAINTEXT_STYLE = { strokeDasharray: '6 4', stroke: 'var(--bad)' } as const;

/**
 * An edge with a lock when both ends proved their identity (mTLS) and a clear mark when traffic was plaintext.
 * The label stays mounted and CSS hides it by zoom (the canvas's data-labels): mounting hundreds of labels at once when
 * the zoom crossed the threshold made that frame take hundreds of milliseconds. No store subscription: panning and
 * zooming re-render no edge. No pointer target (interactionWidth 0, CSS pointer-events none): the side panel lists a node's
 * edges, and hit-testing 6,000 stroked paths on every mouse move was the largest cost of a drag.
 */
export const SecureEdge = memo(function SecureEdge(props: EdgeProps<SecureEdgeType>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, data } = props;
  const layer = useLabelLayer();
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const mtls = data?.mtls ?? false;
  const mark = data?.mark;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={`${mark ? `mark-${mark}` : ''}${data?.moving ? ' traffic' : ''}` || undefined}
        {...(markerEnd ? { markerEnd } : {})}
        style={mtls ? undefined : PLAINTEXT_STYLE}
        interactionWidth={0}
      />
      {layer
        ? createPortal(
            <div
              className={`edge-label${mtls ? '' : ' plaintext'}${mark ? ` mark-${mark}` : ''}`}
              style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
              title={mtls ? 'mutual TLS' : 'plaintext: not authenticated, not encrypted'}
              data-security={mtls ? 'mtls' : 'plaintext'}
              data-testid="edge-label"
            >
              <SecurityIcon mtls={mtls} /> {data?.label ?? ''}
            </div>,
            layer,
          )
        : null}
    </>
  );
});
