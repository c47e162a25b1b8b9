'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { api } from '../../../../api/client';
import { errorMessage } from '../../../../api/errors';
import { QueryState } from '../../../../components/query-state';
import { isActivePhase } from '../../../../rollouts/phase-badge';
import { RolloutView } from '../../../../rollouts/rollout-view';
import { canMutate } from '../../../../session/roles';
import { useSession } from '../../../../session/use-session';

const FAST_MS = 1_000;
const SLOW_MS = 10_000;

/** A rollout's live page: refreshed every second while the controller moves traffic, every 10 s once it is done. */
export default function RolloutPage() {
  const params = useParams<{ ns: string; name: string }>();
  const target = { namespace: decodeURIComponent(params.ns), name: decodeURIComponent(params.name) };
  const session = useSession();
  const rollout = useQuery({
    queryKey: ['rollouts.get', target],
    queryFn: () => api.rollouts.get.query(target),
    refetchInterval: (query) => (isActivePhase(query.state.data?.phase) ? FAST_MS : SLOW_MS),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      {rollout.data ? (
        <RolloutView rollout={rollout.data} operator={canMutate(session.data?.role)} />
      ) : (
        <QueryState query={rollout} label={`canary ${target.namespace}/${target.name}`}>
          {() => null}
        </QueryState>
      )}
      {rollout.isError && rollout.data ? (
        <p className="error" role="alert">
          Refresh failed ({errorMessage(rollout.error)}); showing what was last loaded.
        </p>
      ) : null}
    </>
  );
}
