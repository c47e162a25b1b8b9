import { makeCsr } from '@ambit/control-plane/ca/test-fixtures';
import { type RangeMatrix, type TelemetryQuery, type TelemetrySource, type TimeRange, toPromQL } from '@ambit/control-plane/telemetry';
import { describe, expect } from 'vitest';
import { adminClient, expectFailure } from './support/api-harness';
import { it } from './support/api-test';
import { waitUntil } from './wait';

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { istio.io/dataplane-mode: ambient }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop, labels: { app: web, version: v1 } }
spec:
  serviceAccountName: web
  nodeName: node-1
  containers: [{ name: web, image: web, ports: [{ containerPort: 8080 }] }]
status: { phase: Running, podIP: 127.10.0.5 }
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: shop }
spec: { mtls: { mode: STRICT } }
`;
const WEB = 'spiffe://cluster.local/ns/shop/sa/web';

/** A telemetry back end that answers every range query with the same two versions and remembers the PromQL it was asked. */
class RecordingTelemetry implements TelemetrySource {
  readonly backend = 'recording';
  readonly asked: { promql: string; range: TimeRange }[] = [];
  async instant(): Promise<never> {
    throw new Error('not used');
  }
  async targets() {
    return [];
  }
  async range(query: TelemetryQuery, range: TimeRange): Promise<RangeMatrix> {
    this.asked.push({ promql: toPromQL(query), range });
    const value = query.kind === 'ratio' ? 0.25 : query.kind === 'quantile' ? 42 : 3;
    return {
      timestamps: [range.start, range.end],
      series: [
        { labels: { destination_version: 'v1' }, values: [value, Number.NaN] },
        { labels: { destination_version: 'v2' }, values: [null, value] },
      ],
    };
  }
}

describe('mesh views: certificate inventory, workload, config dumps, per-version series', () => {
  it('lists the certificate the CA issued for a workload, in the report, both exports and the workload view', async ({ api, client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    await waitUntil('the pod in the registry', () =>
      [...api.controlPlane.registry.snapshot().workloads.values()].some((w) => w.name === 'web-1'),
    );
    const token = await api.controlPlane.ca.nodeTokens.issueNodeToken('node-1');
    const issued = await api.controlPlane.ca.createCertificate({ authorization: `Bearer ${token}`, csr: await makeCsr({ uris: [WEB] }) });
    const serial = issued.serialNumber.toLowerCase();

    const report = await client.audit.mtlsReport.query({ window: '5m' });
    expect(report.certificates).toEqual([
      expect.objectContaining({
        namespace: 'shop',
        workload: 'web-1',
        node: 'node-1',
        identity: WEB,
        serial,
        rotation: 'healthy',
        issuedCount: 1,
      }),
    ]);
    expect(Date.parse(report.certificates[0]?.notAfter ?? '')).toBeGreaterThan(Date.now());
    expect(report.findings.filter((f) => f.code.startsWith('Certificate'))).toEqual([]);

    const csv = await client.audit.mtlsExport.query({ window: '5m', format: 'csv', table: 'certificates' });
    expect(csv).toMatchObject({ contentType: 'text/csv', filename: expect.stringMatching(/^ambit-mtls-audit-certificates-.*\.csv$/) });
    expect(csv.text.split('\r\n')[1]).toContain(`,${WEB},true,${serial},`);
    const json = JSON.parse((await client.audit.mtlsExport.query({ window: '5m', format: 'json' })).text);
    expect(json.certificates[0]).toMatchObject({ serial, identity: WEB });

    const workload = await client.mesh.workload.query({ namespace: 'shop', name: 'web-1' });
    expect(workload).toMatchObject({
      identity: WEB,
      node: 'node-1',
      ambient: true,
      certificate: { serial, rotation: 'healthy', issuedCount: 1 },
      policies: { peerAuthentication: { mode: 'STRICT', policy: 'shop/default' } },
    });
    expect(JSON.stringify(workload)).not.toMatch(/PRIVATE KEY/);
  });

  it('finds a mesh workload the CA never issued a certificate for', async ({ api, client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    await waitUntil('the pod in the registry', () =>
      [...api.controlPlane.registry.snapshot().workloads.values()].some((w) => w.name === 'web-1'),
    );
    const report = await client.audit.mtlsReport.query({ window: '1m' });
    expect(report.certificates[0]).toMatchObject({ workload: 'web-1', rotation: 'never-issued' });
    expect(report.findings).toContainEqual(
      expect.objectContaining({ code: 'CertificateNeverIssued', namespace: 'shop', workload: 'web-1' }),
    );
  });

  it('answers NOT_FOUND for a workload or proxy that is not there, and rejects malformed input', async ({ client }) => {
    expect(await expectFailure(client.mesh.workload.query({ namespace: 'shop', name: 'nope' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await expectFailure(client.proxies.configDump.query({ proxy: 'ztunnel~127.0.0.1~nobody' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('not connected'),
    });
    expect(await expectFailure(client.proxies.configDump.query({ proxy: '' }))).toMatchObject({ code: 'BAD_REQUEST', message: /proxy/ });
    expect(
      await expectFailure(client.telemetry.versionSeries.query({ kind: 'pod' as never, namespace: 'shop', name: 'web' })),
    ).toMatchObject({ code: 'BAD_REQUEST', message: /kind/ });
    expect(await expectFailure(client.audit.mtlsExport.query({ window: '5m', format: 'xml' as never }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: /format/,
    });
  });

  it('charts rate, error % and p99 per version from range queries of the telemetry interface', async ({ startApi }) => {
    const telemetry = new RecordingTelemetry();
    const api = await startApi({ telemetry });
    const client = await adminClient(api);
    const series = await client.telemetry.versionSeries.query({ kind: 'service', namespace: 'shop', name: 'web', window: '5m' });
    expect(series).toMatchObject({ telemetryBackend: 'recording', stepSeconds: 5, rateWindowSeconds: 30 });
    expect(series.versions).toEqual([
      { version: 'v1', requestRate: [3, null], errorPercent: [25, null], p99Ms: [42, null] },
      { version: 'v2', requestRate: [null, 3], errorPercent: [null, 25], p99Ms: [null, 42] },
    ]);
    expect(telemetry.asked.map((a) => a.promql)).toEqual([
      expect.stringMatching(
        /^sum by \(destination_version\) \(rate\(istio_requests_total\{reporter="waypoint", destination_service_namespace="shop", destination_service_name="web"\}\[30s\]\)\)$/,
      ),
      expect.stringContaining('response_code=~"5.*"'),
      expect.stringMatching(/^histogram_quantile\(0\.99, sum by \(le, destination_version\)/),
    ]);
    const range = telemetry.asked[0]?.range;
    expect(range && range.end - range.start).toBe(300_000);

    await api.close();
    const bare = await adminClient(await startApi());
    expect(await bare.telemetry.versionSeries.query({ kind: 'workload', namespace: 'shop', name: 'web-v1' })).toMatchObject({
      telemetryBackend: null,
      versions: [],
    });
  });
});
