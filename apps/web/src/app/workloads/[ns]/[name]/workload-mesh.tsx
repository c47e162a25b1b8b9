'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '../../../../api/client';
import type { RouterOutputs } from '../../../../api/types';
import { VersionCharts } from '../../../../components/charts/version-charts';
import { QueryState } from '../../../../components/query-state';
import { RotationBadge, timeToExpiry } from '../../../audit/mtls/certificate-status';
import styles from './workload.module.css';

type MeshWorkload = RouterOutputs['mesh']['workload'];

const WAYPOINT_SOURCE: Record<NonNullable<MeshWorkload['waypoint']>['source'], string> = {
  self: 'its own istio.io/use-waypoint label',
  namespace: "its namespace's istio.io/use-waypoint label",
  service: 'the waypoint of its service',
};

function list(values: readonly string[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

/** `<ns>/<hostname>` → the service page's path. */
function servicePath(key: string): string {
  const [ns = '', hostname = ''] = key.split('/');
  return `/services/${encodeURIComponent(ns)}/${encodeURIComponent(hostname.split('.')[0] ?? hostname)}`;
}

function Facts({ workload: w }: { workload: MeshWorkload }) {
  const cert = w.certificate;
  const pa = w.policies.peerAuthentication;
  return (
    <>
      <dl className={styles.facts} aria-label="Identity and placement">
        <dt>Identity</dt>
        <dd data-testid="workload-identity">{w.identity}</dd>
        <dt>Node</dt>
        <dd>{w.node ?? 'not scheduled'}</dd>
        <dt>Addresses</dt>
        <dd>{list(w.addresses)}</dd>
        <dt>In the mesh</dt>
        <dd>{w.ambient ? 'yes (ambient)' : 'no'}</dd>
        <dt>App / version</dt>
        <dd>
          {w.app} / {w.version} (workload {w.workloadName})
        </dd>
        <dt>Services</dt>
        <dd>
          {w.services.length === 0
            ? 'none'
            : w.services.map((key) => (
                <Link key={key} href={servicePath(key)} className="badge">
                  {key}
                </Link>
              ))}
        </dd>
        <dt>Waypoint</dt>
        <dd>
          {w.waypoint ? `${w.waypoint.key} (${WAYPOINT_SOURCE[w.waypoint.source]})` : 'none'}
          {w.waypointProblem ? <span className="error"> — {w.waypointProblem}</span> : null}
        </dd>
      </dl>
      <h3>Certificate</h3>
      <dl className={styles.facts} aria-label="Certificate" data-testid="workload-certificate">
        <dt>Rotation</dt>
        <dd>
          <RotationBadge rotation={cert.rotation} />
        </dd>
        <dt>Serial</dt>
        <dd>{cert.serial ?? '—'}</dd>
        <dt>Issuer</dt>
        <dd>{cert.issuer ?? '—'}</dd>
        <dt>Not before</dt>
        <dd>{cert.notBefore ? new Date(cert.notBefore).toLocaleString() : '—'}</dd>
        <dt>Not after</dt>
        <dd>{cert.notAfter ? `${new Date(cert.notAfter).toLocaleString()} (${timeToExpiry(cert.expiresInSeconds)})` : '—'}</dd>
        <dt>Issued (kept)</dt>
        <dd>{cert.issuedCount}</dd>
      </dl>
      <h3>Policies that apply</h3>
      <dl className={styles.facts} aria-label="Policies">
        <dt>PeerAuthentication</dt>
        <dd>
          {pa.mode}
          {pa.policy ? ` (${pa.policy})` : ' (no policy: PERMISSIVE by default)'}
          {pa.portModes
            ? `; ports ${Object.entries(pa.portModes)
                .map(([port, mode]) => `${port}=${mode}`)
                .join(', ')}`
            : ''}
        </dd>
        <dt>At its ztunnel</dt>
        <dd>{list(w.policies.ztunnel)}</dd>
        <dt>At its waypoint</dt>
        <dd>{list(w.policies.waypoint)}</dd>
      </dl>
    </>
  );
}

/** A pod as the mesh sees it: identity, node, certificate, waypoint, policies, and its traffic by version. */
export function WorkloadMesh({ namespace, name }: { namespace: string; name: string }) {
  const input = { namespace, name };
  const workload = useQuery({ queryKey: ['mesh.workload', input], queryFn: () => api.mesh.workload.query(input), refetchInterval: 15_000 });
  return (
    <section className={styles.mesh} aria-label="Mesh view">
      <h2>In the mesh</h2>
      <QueryState query={workload} label="the mesh view">
        {(w) => (
          <>
            <Facts workload={w} />
            <VersionCharts kind="workload" namespace={w.namespace} name={w.workloadName} />
          </>
        )}
      </QueryState>
    </section>
  );
}
