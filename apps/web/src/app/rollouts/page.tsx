'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '../../api/client';
import { QueryState } from '../../components/query-state';
import { isActivePhase, PhaseBadge } from '../../rollouts/phase-badge';
import type { RolloutSummary } from '../../rollouts/rollout-types';
import styles from '../../rollouts/rollouts.module.css';
import { canMutate } from '../../session/roles';
import { useSession } from '../../session/use-session';

const FAST_MS = 2_000;
const SLOW_MS = 10_000;

function rolloutPath(r: { namespace: string; name: string }): string {
  return `/rollouts/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}`;
}

function RolloutTable({ items }: { items: readonly RolloutSummary[] }) {
  if (items.length === 0) {
    return <p>No canaries yet. Start one with the wizard, or apply a Flagger Canary manifest.</p>;
  }
  return (
    <table aria-label="Rollouts">
      <thead>
        <tr>
          <th scope="col">Namespace</th>
          <th scope="col">Canary</th>
          <th scope="col">Target</th>
          <th scope="col">Strategy</th>
          <th scope="col">Phase</th>
          <th scope="col">Weights (primary / canary)</th>
          <th scope="col">Failed checks</th>
          <th scope="col">Last change</th>
        </tr>
      </thead>
      <tbody>
        {items.map((r) => (
          <tr key={`${r.namespace}/${r.name}`}>
            <td>{r.namespace}</td>
            <td>
              <Link href={rolloutPath(r)}>{r.name}</Link>
            </td>
            <td>{r.target}</td>
            <td>{r.strategy}</td>
            <td>
              <PhaseBadge phase={r.phase} suspended={r.suspended} />
              {r.gate ? <span className="muted"> waiting for {r.gate.type}</span> : null}
            </td>
            <td>
              {r.primaryWeight}% / {r.canaryWeight}%
            </td>
            <td>
              {r.failedChecks} of {r.threshold}
            </td>
            <td className="muted">{r.lastTransitionTime ? new Date(r.lastTransitionTime).toLocaleString() : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every Canary, running and finished, refreshed every 2 s while one is moving traffic. */
export default function RolloutsPage() {
  const session = useSession();
  const list = useQuery({
    queryKey: ['rollouts.list'],
    queryFn: () => api.rollouts.list.query({}),
    refetchInterval: (query) => (query.state.data?.items.some((r) => isActivePhase(r.phase)) ? FAST_MS : SLOW_MS),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Rollouts</h1>
      <div className="toolbar">
        <p className="muted">Flagger canaries: progressive traffic shifting with analysis, promotion and rollback.</p>
        {canMutate(session.data?.role) ? (
          <Link className={`button primary ${styles.linkButton}`} href="/rollouts/new">
            New canary
          </Link>
        ) : null}
      </div>
      <QueryState query={list} label="rollouts">
        {(data) => <RolloutTable items={data.items} />}
      </QueryState>
    </>
  );
}
