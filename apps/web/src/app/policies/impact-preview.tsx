'use client';

import { useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import type { ChangedFlowGroup } from './policies-api';

const WINDOWS = [
  { label: 'last 5 minutes', ms: 300_000 },
  { label: 'last 15 minutes', ms: 900_000 },
  { label: 'last hour', ms: 3_600_000 },
] as const;

function flowLabel(group: ChangedFlowGroup): string {
  const from = group.sourceWorkload ?? group.sourcePrincipal ?? 'unknown source';
  const request = [group.method, group.path].filter(Boolean).join(' ');
  return `${from} → ${group.destination}:${group.destinationPort}${request ? ` ${request}` : ''}`;
}

function decision(summary: ChangedFlowGroup['before']): string {
  const by = summary.policy ? ` by ${summary.policy}${summary.ruleIndex !== undefined ? ` rule ${summary.ruleIndex}` : ''}` : '';
  return `${summary.allowed ? 'allowed' : 'denied'}${by}`;
}

function Changed({ title, groups }: { title: string; groups: ChangedFlowGroup[] }) {
  if (groups.length === 0) return null;
  return (
    <table aria-label={title}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Flow</th>
          <th scope="col">Requests / connections</th>
          <th scope="col">Seen at</th>
          <th scope="col">Now</th>
          <th scope="col">With the draft</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={`${g.proxy}:${flowLabel(g)}`} data-testid="impact-flow">
            <td>{flowLabel(g)}</td>
            <td>{g.count}</td>
            <td className="muted">{g.proxy}</td>
            <td>{decision(g.before)}</td>
            <td>{decision(g.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the draft would change in the traffic the proxies recently saw: flows replayed against it, counted. */
export function ImpactPreview({ yaml }: { yaml: string }) {
  const impact = useMutation({
    mutationFn: (windowMs: number) => api.policies.impact.query({ yaml, windowMs }),
  });
  const report = impact.data;
  return (
    <section className="card" aria-label="Impact preview">
      <h2>Impact preview</h2>
      <div className="toolbar">
        {WINDOWS.map((w) => (
          <button key={w.ms} type="button" className="button" disabled={impact.isPending} onClick={() => impact.mutate(w.ms)}>
            Preview impact ({w.label})
          </button>
        ))}
      </div>
      {impact.isPending ? (
        <p className="muted" role="status">
          Replaying recent flows against the draft…
        </p>
      ) : null}
      {impact.isError ? (
        <p className="error" role="alert">
          Could not preview the impact: {errorMessage(impact.error)}
        </p>
      ) : null}
      {report ? (
        <div data-testid="impact-report">
          <p>
            {report.flows} flows replayed: <strong>{report.totals.allowToDeny}</strong> would be denied,{' '}
            <strong>{report.totals.denyToAllow}</strong> would be allowed, {report.totals.unchanged} unchanged
            {report.totals.unreplayable ? `, ${report.totals.unreplayable} could not be replayed` : ''}.
          </p>
          <Changed title="Would be denied" groups={report.allowToDeny} />
          <Changed title="Would be allowed" groups={report.denyToAllow} />
          {report.notes.length > 0 ? (
            <ul className="muted">
              {report.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
