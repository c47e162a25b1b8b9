'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { latest } from '../components/charts/scale';
import { QueryState } from '../components/query-state';
import { DiffView } from '../editor/diff-view';
import { RevisionTable } from '../resources/revision-table';
import '../editor/editor.css';
import { backendLines } from './backend-metrics';
import type { SplitInput, TrafficSplit } from './rollout-types';
import styles from './rollouts.module.css';
import { type SplitBackend, SplitEditor } from './split-editor';
import { isCompleteSplit, toPercentages } from './split-weights';
import { TimeSeriesChart } from './time-series-chart';
import { useBackendMetrics } from './use-backend-metrics';

const PREVIEW_DELAY_MS = 300;
const METRICS_REFRESH_MS = 5_000;

interface Draft {
  names: string[];
  weights: number[];
}

function draftOf(split: TrafficSplit): Draft {
  return { names: split.backends.map((b) => b.name), weights: toPercentages(split.backends.map((b) => b.weight)) };
}

function sameDraft(a: Draft, b: Draft): boolean {
  return a.names.join('\u0000') === b.names.join('\u0000') && a.weights.join(',') === b.weights.join(',');
}

/** The text after it stopped changing for `ms`: a slider drag asks for one preview, not fifty. */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function versionsOf(split: TrafficSplit, name: string): string[] {
  return split.backends.find((b) => b.name === name)?.versions ?? split.candidates.find((c) => c.name === name)?.versions ?? [];
}

function portOf(split: TrafficSplit, name: string): number | null {
  return split.backends.find((b) => b.name === name)?.port ?? split.candidates.find((c) => c.name === name)?.port ?? null;
}

function RouteHistory({ namespace, route }: { namespace: string; route: string }) {
  const input = { kind: 'HTTPRoute', namespace, name: route };
  const history = useQuery({
    queryKey: ['resources.history', input],
    queryFn: () => api.resources.history.query(input),
    refetchInterval: 10_000,
  });
  return (
    <QueryState query={history} label="the route's history">
      {(revisions) => <RevisionTable revisions={[...revisions].reverse()} label="Route history" />}
    </QueryState>
  );
}

function SplitForm({ split, operator }: { split: TrafficSplit; operator: boolean }) {
  const queryClient = useQueryClient();
  const current = draftOf(split);
  // `base` is the stored split the user started from: edits are judged against it, not against later refreshes.
  const currentKey = `${split.resourceVersion ?? 'none'}:${current.names.join(',')}:${current.weights.join(',')}`;
  const [edit, setEdit] = useState({ key: currentKey, base: current, draft: current });
  const [adding, setAdding] = useState('');
  // A change made elsewhere (another tab, a rollout, undo) resets the sliders unless the user is editing.
  if (edit.key !== currentKey) {
    const editing = !sameDraft(edit.draft, edit.base);
    setEdit({ key: currentKey, base: current, draft: editing ? edit.draft : current });
  }
  const draft = edit.draft;
  const setDraft = (next: Draft) => setEdit((e) => ({ ...e, draft: next }));
  const dirty = !sameDraft(draft, current);

  const input: SplitInput = {
    namespace: split.namespace,
    service: split.service,
    backends: draft.names.map((name, i) => {
      const port = portOf(split, name);
      return { name, weight: draft.weights[i] ?? 0, ...(port === null ? {} : { port }) };
    }),
  };
  // Compared as text: a new object every render must not count as a change.
  const settledKey = useSettled(JSON.stringify(input), PREVIEW_DELAY_MS);
  const settledInput = useMemo(() => JSON.parse(settledKey) as SplitInput, [settledKey]);
  const canPreview = dirty && isCompleteSplit(draft.weights) && split.waypoint !== null;
  const preview = useQuery({
    queryKey: ['traffic.preview', settledInput],
    queryFn: () => api.traffic.preview.query(settledInput),
    enabled: canPreview,
    placeholderData: keepPreviousData,
  });

  const key = { namespace: split.namespace, service: split.service };
  const [notice, setNotice] = useState<string | null>(null);
  const afterChange = (next: TrafficSplit, what: string) => {
    setNotice(what);
    queryClient.setQueryData(['traffic.get', key], next);
    const stored = draftOf(next);
    setEdit((e) => ({ ...e, base: stored, draft: stored }));
    void queryClient.invalidateQueries({ queryKey: ['resources.history'] });
  };
  const apply = useMutation({
    mutationFn: () =>
      api.traffic.applySplit.mutate({ ...input, ...(split.resourceVersion ? { resourceVersion: split.resourceVersion } : {}) }),
    onSuccess: (result) => afterChange(result.split, `Applied: route ${result.action}, revision ${result.revision}.`),
  });
  const undo = useMutation({
    mutationFn: () => api.traffic.undo.mutate(key),
    onSuccess: (result) =>
      afterChange(result.split, `Undone: route ${result.action}${result.revision === null ? '' : `, now at revision ${result.revision}`}.`),
  });

  // Measured over every backend that may carry traffic: the stored route's and the ones being added.
  const measuredNames = [...new Set([...current.names, ...draft.names])];
  const measured = useBackendMetrics(split.namespace, measuredNames, '1m', METRICS_REFRESH_MS);
  const backends: SplitBackend[] = draft.names.map((name) => {
    const versions = versionsOf(split, name);
    const inRoute = current.names.indexOf(name);
    const series = measured.metrics?.backends.find((b) => b.name === name);
    return {
      name,
      label: versions.length > 0 ? `${name} (${versions.join(', ')})` : name,
      current: inRoute < 0 ? 0 : (current.weights[inRoute] ?? 0),
      measured: series ? latest(series.share) : null,
      requestsPerSecond: series ? latest(series.requestRate) : null,
      successRate: series ? latest(series.successRate) : null,
      p99Ms: series ? latest(series.p99Ms) : null,
    };
  });
  const addable = split.candidates.filter((c) => !draft.names.includes(c.name));
  const editable = operator && split.waypoint !== null && split.managedBy === null;
  const busy = apply.isPending || undo.isPending;

  return (
    <>
      <section aria-label="Traffic split">
        <SplitEditor
          backends={backends}
          weights={draft.weights}
          editable={editable}
          onChange={(weights) => setDraft({ ...draft, weights })}
        />
        {editable ? (
          <div className="toolbar" style={{ marginTop: '0.75rem' }}>
            <label>
              Add a backend
              <select value={adding} onChange={(e) => setAdding(e.target.value)}>
                <option value="">Choose a Service…</option>
                {addable.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                    {c.versions.length > 0 ? ` (${c.versions.join(', ')})` : ''}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="button"
              disabled={!adding}
              onClick={() => {
                setDraft({ names: [...draft.names, adding], weights: [...draft.weights, 0] });
                setAdding('');
              }}
            >
              Add
            </button>
            {draft.names.map((name, i) =>
              draft.names.length > 1 ? (
                <button
                  key={name}
                  type="button"
                  className="button subtle"
                  onClick={() => {
                    const weights = draft.weights.filter((_, k) => k !== i);
                    setDraft({ names: draft.names.filter((_, k) => k !== i), weights: toPercentages(weights) });
                  }}
                >
                  Remove {name}
                </button>
              ) : null,
            )}
          </div>
        ) : null}
      </section>

      <h2>Measured, last minute</h2>
      {measured.telemetryBackend === null ? (
        <p className="notice" role="note">
          No telemetry back end is connected: the split is shown as set, not as measured.
        </p>
      ) : measured.error && !measured.metrics ? (
        <p className="error" role="alert">
          Could not load the measurements: {errorMessage(measured.error)}
        </p>
      ) : measured.metrics ? (
        <div className={styles.charts}>
          <TimeSeriesChart
            title="Share of requests per backend"
            unit="%"
            yMax={100}
            series={backendLines(measured.metrics, 'share')}
            testId="chart-share"
          />
          <TimeSeriesChart
            title="Success rate per backend"
            unit="%"
            yMax={100}
            series={backendLines(measured.metrics, 'successRate')}
            testId="chart-success-rate"
          />
          <TimeSeriesChart title="p99 latency per backend" unit=" ms" series={backendLines(measured.metrics, 'p99Ms')} testId="chart-p99" />
        </div>
      ) : (
        <p className="muted" role="status">
          Loading the measurements…
        </p>
      )}

      {editable ? (
        <section aria-label="Change">
          <h2>Change</h2>
          {dirty ? (
            preview.isError ? (
              <p className="error" role="alert">
                {errorMessage(preview.error)}
              </p>
            ) : preview.data ? (
              <DiffView
                before={preview.data.before ?? ''}
                after={preview.data.after}
                beforeLabel={split.route ? `HTTPRoute ${split.route} now` : 'No route now'}
                afterLabel="HTTPRoute after apply"
              />
            ) : (
              <p className="muted" role="status">
                Preparing the route…
              </p>
            )
          ) : (
            <p className="muted">Move a slider to see the HTTPRoute this split writes.</p>
          )}
          <div className={styles.actions}>
            <button
              type="button"
              className="button primary"
              disabled={!dirty || !isCompleteSplit(draft.weights) || busy}
              onClick={() => apply.mutate()}
            >
              Apply split
            </button>
            <button type="button" className="button" disabled={!dirty || busy} onClick={() => setDraft(current)}>
              Reset sliders
            </button>
            <button
              type="button"
              className="button"
              disabled={split.revision === null || busy}
              onClick={() => {
                if (window.confirm(`Undo the last change to the route of ${split.namespace}/${split.service}?`)) undo.mutate();
              }}
            >
              Undo last change
            </button>
            {notice && !busy ? (
              <span role="status" data-testid="traffic-result">
                {notice}
              </span>
            ) : null}
          </div>
          {apply.isError || undo.isError ? (
            <p className="error" role="alert">
              {errorMessage(apply.error ?? undo.error)}
            </p>
          ) : null}
        </section>
      ) : null}

      <h2>History</h2>
      {split.route ? (
        <RouteHistory namespace={split.namespace} route={split.route} />
      ) : (
        <p className="muted">No HTTPRoute is attached to this service yet: all its traffic goes to {split.service}.</p>
      )}
    </>
  );
}

/** Manual traffic split of one service behind a waypoint: sliders, the resulting route as a diff, apply and undo. */
export function TrafficView({ namespace, service, operator }: { namespace: string; service: string; operator: boolean }) {
  const key = { namespace, service };
  const split = useQuery({
    queryKey: ['traffic.get', key],
    queryFn: () => api.traffic.get.query(key),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <p>
        <Link href="/services">Services</Link> /{' '}
        <Link href={`/services/${encodeURIComponent(namespace)}/${encodeURIComponent(service)}`}>{service}</Link>
      </p>
      <h1>
        Traffic split of {namespace}/{service}
      </h1>
      <QueryState query={split} label={`the traffic split of ${namespace}/${service}`}>
        {(data) => (
          <>
            {data.waypoint === null ? (
              <p className="notice" role="note">
                {namespace}/{service} is not behind a waypoint: routes and splits need one (label the service or namespace with
                istio.io/use-waypoint).
              </p>
            ) : (
              <p className="muted">
                Served by waypoint {data.waypoint}
                {data.route ? `, route ${data.route}` : ''}.
              </p>
            )}
            {data.managedBy ? (
              <p className="notice" role="note">
                Canary{' '}
                <Link href={`/rollouts/${encodeURIComponent(namespace)}/${encodeURIComponent(data.managedBy)}`}>{data.managedBy}</Link> owns
                this route: change it through the rollout.
              </p>
            ) : null}
            <SplitForm split={data} operator={operator} />
          </>
        )}
      </QueryState>
    </>
  );
}
