'use client';

import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/errors';

/** Loading and error states for one query, the same on every page. */
export function QueryState<T>({ query, label, children }: { query: UseQueryResult<T>; label: string; children: (data: T) => ReactNode }) {
  if (query.isPending) {
    return (
      <p className="muted" role="status" aria-live="polite">
        Loading {label}…
      </p>
    );
  }
  if (query.isError) {
    return (
      <div className="error" role="alert">
        <p>
          Could not load {label}: {errorMessage(query.error)}
        </p>
        <button type="button" className="button" onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return <>{children(query.data)}</>;
}
