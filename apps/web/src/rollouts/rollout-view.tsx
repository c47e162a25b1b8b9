'use client';

import Link from 'next/link';
import { PhaseBadge } from './phase-badge';
import { RolloutActions } from './rollout-actions';
import { RolloutCharts } from './rollout-charts';
import { type CheckLike, DURATION, failedChecks, failureReason, reachedWeight, SUCCESS_RATE } from './rollout-history';
import type { RolloutDetail } from './rollout-types';
import { StepTimeline } from './step-timeline';

function time(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleTimeString() : '—';
}

function bounds(check: Pick<CheckLike, 'min' | 'max'>): string {
  const parts = [check.min === undefined ? null : `min ${check.min}`, check.max === undefined ? null : `max ${check.max}`].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : '—';
}

function unitOf(name: string): string {
  return name === SUCCESS_RATE ? '%' : name === DURATION ? ' ms' : '';
}

function checkValue(check: Pick<CheckLike, 'name' | 'value'>): string {
  return check.value === null ? 'no data' : `${Number(check.value.toFixed(2))}${unitOf(check.name)}`;
}

function ChecksTable({
  label,
  checks,
  withTime,
}: {
  label: string;
  checks: readonly (CheckLike & { time?: string })[];
  withTime: boolean;
}) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {withTime ? <th scope="col">Time</th> : null}
          <th scope="col">Check</th>
          <th scope="col">Value</th>
          <th scope="col">Threshold</th>
          <th scope="col">Result</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c) => (
          <tr key={`${c.time ?? ''}-${c.name}-${c.message}`}>
            {withTime ? <td>{time(c.time)}</td> : null}
            <td>
              {c.name} <span className="muted">({c.kind})</span>
            </td>
            <td>{c.kind === 'metric' ? checkValue(c) : '—'}</td>
            <td>{bounds(c)}</td>
            <td className={c.passed ? undefined : 'error'}>{c.passed ? 'passed' : 'failed'}</td>
            <td>{c.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One Canary: where it stands, what operators can do, its steps, charts, checks and events. Finished runs read the same. */
export function RolloutView({ rollout, operator }: { rollout: RolloutDetail; operator: boolean }) {
  const reached = reachedWeight(rollout.history, rollout.canaryWeight);
  const failed = failedChecks(rollout.history);
  const reason = rollout.phase === 'Failed' ? failureReason(rollout.conditions, rollout.events) : null;
  return (
    <>
      <p>
        <Link href="/rollouts">Rollouts</Link> / {rollout.namespace}
      </p>
      <h1>
        Canary {rollout.namespace}/{rollout.name}
      </h1>
      {rollout.phase === 'Failed' ? (
        <p className="error" role="alert" data-testid="failure-reason">
          Run failed{reason ? `: ${reason}` : ''}. All traffic is on the primary.
        </p>
      ) : null}
      <section className="cards" aria-label="Status">
        <div className="card">
          <div className="muted">Phase</div>
          <div className="stat">
            <PhaseBadge phase={rollout.phase} suspended={rollout.suspended} />
          </div>
          <div className="muted">since {time(rollout.lastTransitionTime)}</div>
        </div>
        <div className="card">
          <div className="muted">Weights: primary / canary</div>
          <div className="stat" data-testid="rollout-weights">
            {rollout.primaryWeight} / {rollout.canaryWeight}
          </div>
          <div className="muted">
            {rollout.strategy}, target {rollout.target}, service {rollout.service}
          </div>
        </div>
        <div className="card">
          <div className="muted">Failed checks</div>
          <div className="stat">
            {rollout.failedChecks} of {rollout.threshold}
          </div>
          <div className="muted">rolls back at {rollout.threshold}</div>
        </div>
        <div className="card">
          <div className="muted">Analysis</div>
          <div className="stat">every {rollout.intervalSeconds}s</div>
          <div className="muted">
            {rollout.nextTickAt ? `next at ${time(rollout.nextTickAt)}` : 'idle'}
            {rollout.maxIterations !== null ? `, iteration ${rollout.iterations} of ${rollout.maxIterations}` : ''}
          </div>
        </div>
      </section>
      {rollout.gate ? (
        <p className="notice" role="note">
          Waiting for the {rollout.gate.type} gate ({rollout.gate.webhook}) since {time(rollout.gate.since)}
          {rollout.gate.builtIn ? ': an operator must approve it.' : '.'}
        </p>
      ) : null}
      {operator ? <RolloutActions rollout={rollout} /> : null}

      <h2>Steps</h2>
      <StepTimeline
        steps={rollout.steps}
        phase={rollout.phase ?? undefined}
        canaryWeight={rollout.canaryWeight}
        reachedWeight={reached}
        paused={rollout.suspended}
      />

      <h2>Traffic and health</h2>
      <RolloutCharts rollout={rollout} />

      <h2>Failed checks</h2>
      {failed.length === 0 ? (
        <p className="muted">No failed checks in this run.</p>
      ) : (
        <ChecksTable label="Failed checks" checks={failed} withTime />
      )}

      <h2>Last analysis</h2>
      {rollout.lastChecks.length === 0 ? (
        <p className="muted">No analysis has run yet.</p>
      ) : (
        <ChecksTable label="Last analysis" checks={rollout.lastChecks} withTime={false} />
      )}

      <h2>Events</h2>
      {rollout.events.length === 0 ? (
        <p className="muted">No events yet.</p>
      ) : (
        <table aria-label="Events">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Reason</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {[...rollout.events].reverse().map((e) => (
              <tr key={`${e.time}-${e.reason}-${e.message}`}>
                <td>{time(e.time)}</td>
                <td className={e.type === 'Warning' ? 'error' : undefined}>{e.type}</td>
                <td>{e.reason}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Route</h2>
      {rollout.route ? (
        <p>
          HTTPRoute {rollout.route.name}:{' '}
          {rollout.route.backends.map((b) => (
            <span className="badge" key={b.name}>
              {b.name} {b.weight}
            </span>
          ))}
        </p>
      ) : (
        <p className="muted">The controller has not written a route yet.</p>
      )}
      {rollout.conditions.length > 0 ? (
        <>
          <h2>Conditions</h2>
          <ul>
            {rollout.conditions.map((c) => (
              <li key={c.type}>
                <strong>{c.type}</strong> {c.status}
                {c.reason ? ` (${c.reason})` : ''}
                {c.message ? `: ${c.message}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {rollout.approvals.length > 0 ? (
        <>
          <h2>Approvals</h2>
          <ul>
            {rollout.approvals.map((a) => (
              <li key={`${a.gate}-${a.at}`}>
                {a.gate} by {a.by} at {time(a.at)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
