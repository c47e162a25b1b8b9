'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { MeshOverview } from '../api/types';
import { QueryState } from '../components/query-state';

interface ChangeLine {
  resourceVersion: string;
  text: string;
}

const RECENT_CHANGES = 15;
/** Phases of a run that is moving traffic or waiting on a gate (Flagger's). */
const RUNNING_PHASES = new Set(['Initializing', 'Progressing', 'Waiting', 'WaitingPromotion', 'Promoting', 'Finalising']);

/** Canary runs in progress, with their weight and failed checks; links to each run. */
function ActiveRollouts() {
  const rollouts = useQuery({ queryKey: ['rollouts.list'], queryFn: () => api.rollouts.list.query({}), refetchInterval: 5_000 });
  return (
    <>
      <h2>Active rollouts</h2>
      <QueryState query={rollouts} label="the rollouts">
        {({ items }) => {
          const active = items.filter((item) => item.phase !== null && RUNNING_PHASES.has(item.phase));
          if (active.length === 0)
            return (
              <p className="muted">
                No canary is running. <Link href="/rollouts">All rollouts</Link>
              </p>
            );
          return (
            <ul className="changes" aria-label="Active rollouts">
              {active.map((item) => (
                <li key={`${item.namespace}/${item.name}`}>
                  <Link href={`/rollouts/${item.namespace}/${item.name}`}>
                    {item.namespace}/{item.name}
                  </Link>{' '}
                  {item.phase}
                  {item.suspended ? ' (paused)' : ''}: canary {item.canaryWeight}%, failed checks {item.failedChecks}/{item.threshold}
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>
    </>
  );
}

function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${Math.round(ratio * 100)}%`;
}

function OverviewCards({ overview }: { overview: MeshOverview }) {
  const cards = [
    {
      label: 'Ambient coverage',
      value: percent(overview.ambientCoverage),
      note: `${overview.workloads.ambient} of ${overview.workloads.total} workloads`,
    },
    { label: 'Healthy workloads', value: `${overview.workloads.healthy}/${overview.workloads.total}`, note: 'status HEALTHY' },
    {
      label: 'Services',
      value: String(overview.services.total),
      note: `${overview.services.ambient} ambient, ${overview.services.withWaypoint} with a waypoint`,
    },
    { label: 'Namespaces', value: String(overview.namespaces.total), note: `${overview.namespaces.ambient} ambient` },
    {
      label: 'Proxies connected',
      value: String(overview.proxies.connected),
      note:
        Object.entries(overview.proxies.byKind)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ') || 'none',
    },
    {
      label: 'Proxy sync',
      value: `${overview.proxies.synced} synced`,
      note: `${overview.proxies.stale} stale, ${overview.proxies.nack} NACK`,
    },
    { label: 'Nodes', value: String(overview.nodes), note: `${overview.waypoints} waypoints` },
  ];
  return (
    <section aria-label="Mesh health" className="cards">
      {cards.map((card) => (
        <div className="card" key={card.label}>
          <div className="muted">{card.label}</div>
          <div className="stat">{card.value}</div>
          <div className="muted">{card.note}</div>
        </div>
      ))}
    </section>
  );
}

/** Follows changes.watch: each event also refreshes the numbers above it. */
function useRecentChanges(): { lines: ChangeLine[]; live: boolean } {
  const queryClient = useQueryClient();
  const [lines, setLines] = useState<ChangeLine[]>([]);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const subscription = api.changes.watch.subscribe(
      {},
      {
        onStarted: () => setLive(true),
        onData: ({ data }) => {
          const where = data.namespace ? `${data.namespace}/` : '';
          const line = { resourceVersion: String(data.resourceVersion), text: `${data.type} ${data.kind} ${where}${data.name}` };
          setLines((previous) => [line, ...previous].slice(0, RECENT_CHANGES));
          void queryClient.invalidateQueries({ queryKey: ['mesh.overview'] });
        },
        onError: () => setLive(false),
        onStopped: () => setLive(false),
      },
    );
    return () => subscription.unsubscribe();
  }, [queryClient]);
  return { lines, live };
}

export default function OverviewPage() {
  const overview = useQuery({ queryKey: ['mesh.overview'], queryFn: () => api.mesh.overview.query(), refetchInterval: 10_000 });
  const changes = useRecentChanges();
  return (
    <>
      <h1>Mesh overview</h1>
      <QueryState query={overview} label="the mesh overview">
        {(data) => <OverviewCards overview={data} />}
      </QueryState>
      <ActiveRollouts />
      <h2>Recent changes</h2>
      <p className="muted" role="status">
        {changes.live ? 'Following the change stream.' : 'Connecting to the change stream…'}
      </p>
      {changes.lines.length === 0 ? (
        <p className="muted">No changes since this page opened.</p>
      ) : (
        <ul className="changes" aria-label="Recent changes">
          {changes.lines.map((line) => (
            <li key={line.resourceVersion}>
              #{line.resourceVersion} {line.text}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
