'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { api } from '../../../api/client';
import { errorMessage } from '../../../api/errors';
import type { SimulateInput, SimulationResult } from '../policies-api';
import '../../../editor/editor.css';

interface SimulateForm {
  sourceKind: 'workload' | 'principal';
  source: string;
  destinationKind: 'service' | 'workload';
  destination: string;
  port: string;
  method: string;
  path: string;
  host: string;
  headers: string;
}

const INITIAL: SimulateForm = {
  sourceKind: 'workload',
  source: 'demo/reviews-v2',
  destinationKind: 'service',
  destination: 'demo/ratings',
  port: '9080',
  method: 'GET',
  path: '/ratings/0',
  host: '',
  headers: '',
};

function toInput(form: SimulateForm): SimulateInput {
  const headers = Object.fromEntries(
    form.headers
      .split('\n')
      .map((line) => line.split(':'))
      .filter(([name, ...rest]) => name?.trim() && rest.length > 0)
      .map(([name, ...rest]) => [(name as string).trim().toLowerCase(), rest.join(':').trim()]),
  );
  return {
    source: form.sourceKind === 'workload' ? { workload: form.source.trim() } : { principal: form.source.trim() },
    destination: form.destinationKind === 'service' ? { service: form.destination.trim() } : { workload: form.destination.trim() },
    port: Number(form.port),
    ...(form.method.trim() ? { method: form.method.trim().toUpperCase() } : {}),
    ...(form.path.trim() ? { path: form.path.trim() } : {}),
    ...(form.host.trim() ? { host: form.host.trim() } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

function rule(decidedBy: { policy: string; action: string; ruleIndex?: number } | undefined): string {
  if (!decidedBy) return '—';
  return `${decidedBy.action} ${decidedBy.policy}${decidedBy.ruleIndex !== undefined ? ` rule ${decidedBy.ruleIndex}` : ''}`;
}

function Result({ result }: { result: SimulationResult }) {
  return (
    <section aria-label="Simulation result" data-testid="simulation-result">
      <h2>
        <span className={`decision-${result.outcome === 'allow' ? 'allow' : 'deny'}`}>{result.outcome.toUpperCase()}</span>:{' '}
        {result.summary}
      </h2>
      <p className="muted">
        From {result.source.workload ?? result.source.principal ?? result.source.ip} ({result.source.ip}) to{' '}
        {result.destination.service ?? result.destination.workload} ({result.destination.address}:{result.destination.port})
      </p>
      <table aria-label="Hops">
        <thead>
          <tr>
            <th scope="col">Hop</th>
            <th scope="col">Proxy</th>
            <th scope="col">Decision</th>
            <th scope="col">Deciding policy and rule</th>
            <th scope="col">Why</th>
            <th scope="col">Seen as</th>
          </tr>
        </thead>
        <tbody>
          {result.hops.map((hop, i) => (
            <tr key={`${hop.point}:${hop.proxy}:${hop.workload ?? i}`} data-testid="simulation-hop">
              <td>{hop.point}</td>
              <td>
                {hop.proxy}
                {hop.workload ? <div className="muted">{hop.workload}</div> : null}
              </td>
              <td className={`decision-${hop.decision}`}>{hop.decision}</td>
              <td>
                {rule(hop.decidedBy)}
                {hop.dryRun ? (
                  <div className="muted">
                    dry run: {hop.dryRun.decision} ({rule(hop.dryRun.decidedBy)})
                  </div>
                ) : null}
              </td>
              <td>{hop.reason}</td>
              <td className="muted">{hop.seen.principal ?? hop.seen.sourceIp}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.route ? (
        <>
          <h2>Route</h2>
          <p>
            {result.route.route} rule {result.route.ruleIndex}, match {result.route.matchIndex}: {result.route.action}
            {result.route.status ? ` ${result.route.status}` : ''} — {result.route.reason}
          </p>
          {result.route.backends.length > 0 ? (
            <table aria-label="Backends">
              <thead>
                <tr>
                  <th scope="col">Backend</th>
                  <th scope="col">Weight</th>
                  <th scope="col">Share</th>
                  <th scope="col">Endpoints</th>
                </tr>
              </thead>
              <tbody>
                {result.route.backends.map((b) => (
                  <tr key={`${b.service}:${b.port}`}>
                    <td>
                      {b.service}
                      {b.port ? `:${b.port}` : ''}
                      {b.invalid ? <div className="error">{b.invalid}</div> : null}
                    </td>
                    <td>{b.weight}</td>
                    <td>{(b.share * 100).toFixed(0)}%</td>
                    <td className="muted">{b.endpoints.join(', ') || 'none'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
      {result.notes.length > 0 ? (
        <ul className="muted">
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** "What would happen": a request through the same evaluators the proxies run, hop by hop, without sending it. */
export default function SimulatePage() {
  const [form, setForm] = useState(INITIAL);
  const simulate = useMutation({ mutationFn: (input: SimulateInput) => api.policies.simulate.query(input) });
  const set = (patch: Partial<SimulateForm>) => setForm({ ...form, ...patch });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    simulate.mutate(toInput(form));
  };
  return (
    <>
      <p>
        <Link href="/policies">Policies</Link>
      </p>
      <h1>Simulate a request</h1>
      <div className="split">
        <form className="card policy-form" onSubmit={submit} aria-label="Request to simulate">
          <fieldset>
            <legend>Source</legend>
            <label>
              Source is
              <select value={form.sourceKind} onChange={(e) => set({ sourceKind: e.target.value as SimulateForm['sourceKind'] })}>
                <option value="workload">a workload (ns/name)</option>
                <option value="principal">a principal</option>
              </select>
            </label>
            <label>
              Source
              <input value={form.source} onChange={(e) => set({ source: e.target.value })} required />
            </label>
          </fieldset>
          <fieldset>
            <legend>Destination</legend>
            <label>
              Destination is
              <select
                value={form.destinationKind}
                onChange={(e) => set({ destinationKind: e.target.value as SimulateForm['destinationKind'] })}
              >
                <option value="service">a service (ns/name)</option>
                <option value="workload">a workload (ns/name)</option>
              </select>
            </label>
            <label>
              Destination
              <input value={form.destination} onChange={(e) => set({ destination: e.target.value })} required />
            </label>
            <label>
              Port
              <input value={form.port} inputMode="numeric" onChange={(e) => set({ port: e.target.value })} required />
            </label>
          </fieldset>
          <fieldset>
            <legend>HTTP (optional)</legend>
            <label>
              Method
              <input value={form.method} onChange={(e) => set({ method: e.target.value })} />
            </label>
            <label>
              Path
              <input value={form.path} onChange={(e) => set({ path: e.target.value })} />
            </label>
            <label>
              Host
              <input value={form.host} onChange={(e) => set({ host: e.target.value })} />
            </label>
            <label>
              Headers (one name: value a line)
              <textarea value={form.headers} rows={3} onChange={(e) => set({ headers: e.target.value })} />
            </label>
          </fieldset>
          <button type="submit" className="button primary" disabled={simulate.isPending}>
            Simulate
          </button>
        </form>
        <div>
          {simulate.isPending ? (
            <p className="muted" role="status">
              Simulating…
            </p>
          ) : null}
          {simulate.isError ? (
            <p className="error" role="alert">
              {errorMessage(simulate.error)}
            </p>
          ) : null}
          {simulate.data ? <Result result={simulate.data} /> : null}
          {!simulate.data && !simulate.isPending && !simulate.isError ? (
            <p className="muted">Describe a request; the simulator evaluates it at each proxy on its way, as they would.</p>
          ) : null}
        </div>
      </div>
    </>
  );
}
