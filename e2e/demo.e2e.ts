import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signInAt, trpcQuery } from './support/browser';
import { type AmbitUp, REPO_ROOT, startAmbitUpWithWeb } from './support/processes';

const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');
const VIEWPORT = { width: 1360, height: 860 };
const VIEWER = { username: 'demo-viewer', password: 'viewer-password-123' };
// Bounded; generous because the machine is shared and the demo's first requests wait for certificates and xDS.
const TRAFFIC_WAIT_MS = 120_000;

const DEMO_WORKLOADS = ['productpage-v1', 'details-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1'] as const;
/** Who calls whom in Bookinfo as the demo runs it (reviews-v1 never calls ratings). */
const DEMO_EDGES = [
  ['loadgen', 'productpage-v1'],
  ['productpage-v1', 'details-v1'],
  ['productpage-v1', 'reviews-v1'],
  ['productpage-v1', 'reviews-v2'],
  ['productpage-v1', 'reviews-v3'],
  ['reviews-v2', 'ratings-v1'],
  ['reviews-v3', 'ratings-v1'],
] as const;
const workloadId = (name: string) => `wl:demo/${name}`;

interface GraphEdge {
  id: string;
  source: string;
  target: string;
  requestsPerSecond: number;
  bytesPerSecond: number;
  security: { policy: string };
}
interface Graph {
  nodes: { id: string; name: string }[];
  edges: GraphEdge[];
}
interface AuditEdge {
  source: { id: string };
  destination: { id: string };
  policy: string;
  sourcePrincipals: string[];
  destinationPrincipals: string[];
}
interface AuditCertificate {
  workload: string;
  pods: string[];
  identity: string;
  serial?: string;
  notAfter?: string;
  rotation: string;
}
interface VersionSeriesAnswer {
  versions: { version: string; requestRate: (number | null)[] }[];
}

let dataDir: string;
let up: AmbitUp | undefined;
let browser: Browser | undefined;

function query<T>(page: Page, path: string, input: unknown): Promise<T> {
  return trpcQuery<T>(page, up?.consoleUrl ?? '', path, input);
}

function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
  return signInAt(up?.consoleUrl ?? '', context, username, password);
}

/** The first workload-graph edges carrying a → b: a → service and service → b (the workload graph routes calls through services). */
function hopsBetween(graph: Graph, from: string, to: string): [GraphEdge, GraphEdge] | undefined {
  for (const first of graph.edges) {
    if (first.source !== workloadId(from)) continue;
    const second = graph.edges.find((e) => e.source === first.target && e.target === workloadId(to));
    if (second) return [first, second];
  }
  return undefined;
}

const carriesTraffic = (edge: GraphEdge) => edge.requestsPerSecond > 0 || edge.bytesPerSecond > 0;

/** Polls the API (bounded) until the scraper has seen mTLS traffic on every demo edge, in the graph and in the audit. */
async function waitForDemoTraffic(page: Page): Promise<Graph> {
  const deadline = Date.now() + TRAFFIC_WAIT_MS;
  let missing: string[] = [];
  while (Date.now() < deadline) {
    const graph = await query<Graph>(page, 'topology.graph', { window: '1m' });
    const audit = await query<{ edges: AuditEdge[] }>(page, 'audit.mtlsReport', { window: '1m' });
    missing = DEMO_EDGES.filter(([from, to]) => {
      const hops = hopsBetween(graph, from, to);
      const audited = audit.edges.some((e) => e.source.id === workloadId(from) && e.destination.id === workloadId(to));
      return !(hops?.every(carriesTraffic) && audited);
    }).map(([from, to]) => `${from} → ${to}`);
    if (missing.length === 0) return graph;
    await delay(1_000);
  }
  throw new Error(`no demo traffic within ${TRAFFIC_WAIT_MS} ms on: ${missing.join(', ')}\n${up?.output()}`);
}

describe('Ambit console against the running embedded demo (ambit up)', () => {
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ambit-e2e-demo-'));
    await mkdir(ARTIFACTS, { recursive: true });
    // The console is started by the test, so it serves the build in AMBIT_WEB_DIST_DIR (see startAmbitUpWithWeb).
    up = await startAmbitUpWithWeb(dataDir);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await up?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the demo topology with mTLS locks and live rates, keeps the view across reloads, exports it, and audits every edge', async () => {
    assert.ok(browser && up);
    const light = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT, acceptDownloads: true });
    const page = await signIn(light, 'admin', up.adminPassword);
    const graph = await waitForDemoTraffic(page);

    await page.goto(`${up.consoleUrl}/topology?window=1m`);
    const nodes = page.getByTestId('topology-node');
    for (const name of DEMO_WORKLOADS) await nodes.filter({ hasText: name }).first().waitFor();
    // Every hop of every demo call is drawn, and every edge label carries the lock and a non-zero rate.
    for (const [from, to] of DEMO_EDGES) {
      for (const hop of hopsBetween(graph, from, to) ?? []) await page.getByTestId(`rf__edge-${hop.id}`).waitFor({ state: 'attached' });
    }
    const labels = page.locator('.edge-label');
    assert.ok((await labels.count()) >= graph.edges.length, 'a label on every edge');
    assert.equal(await page.locator('.edge-label[data-security="plaintext"]').count(), 0, 'no plaintext edge in the demo');
    for (const label of await labels.all()) {
      assert.equal(await label.getByRole('img', { name: 'mutual TLS' }).count(), 1, 'the lock');
      const text = (await label.textContent()) ?? '';
      assert.match(text, /\d.*(rps|B\/s)/, `a rate on ${text}`);
      assert.doesNotMatch(text, /(^|\s)0(\.0+)? (rps|B\/s)/, `a non-zero rate on ${text}`);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'demo-topology-light.png') });

    // Clicking a node opens its panel; window and selection survive a reload (URL state).
    await nodes.filter({ hasText: 'productpage-v1' }).first().click();
    const panel = page.getByTestId('node-panel');
    await panel.getByRole('heading', { name: 'productpage-v1' }).waitFor();
    await page.waitForURL(/node=/);
    await page.getByLabel('Window').selectOption('15m');
    await page.waitForURL(/window=15m/);
    await page.reload();
    assert.equal(await page.getByLabel('Window').inputValue(), '15m', 'the window chosen before the reload');
    await panel.getByRole('heading', { name: 'productpage-v1' }).waitFor();
    for (const name of DEMO_WORKLOADS) await nodes.filter({ hasText: name }).first().waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as Graph;
    assert.equal(exported.nodes.length, await nodes.count(), 'the export has the nodes on screen');
    for (const name of DEMO_WORKLOADS)
      assert.ok(
        exported.nodes.some((n) => n.id === workloadId(name)),
        `${name} in the export`,
      );

    // The audit lists every demo edge as mutual TLS with both principals, and its CSV has the same rows.
    await page.goto(`${up.consoleUrl}/audit/mtls?window=1m`);
    const table = page.getByRole('table', { name: 'Observed edges' });
    await table.waitFor();
    for (const [from, to] of DEMO_EDGES) {
      const row = table
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: workloadId(from), exact: true }) })
        .filter({ has: page.getByRole('cell', { name: workloadId(to), exact: true }) });
      const cells = await row.first().getByRole('cell').allTextContents();
      assert.equal(cells[2], 'mutual_tls', `${from} → ${to}`);
      assert.match(cells[3] ?? '', /^spiffe:\/\/cluster\.local\/ns\/demo\/sa\//, `source principal of ${from} → ${to}`);
      assert.match(cells[4] ?? '', /^spiffe:\/\/cluster\.local\/ns\/demo\/sa\//, `destination principal of ${from} → ${to}`);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'demo-mtls-audit-light.png'), fullPage: true });
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export edges CSV' }).click()]);
    const [header, ...rows] = (await readFile(await csv.path(), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    const column = (name: string) => {
      const index = header?.indexOf(name) ?? -1;
      assert.ok(index >= 0, `CSV column ${name}`);
      return index;
    };
    const [source, destination, policy, sourcePrincipals, destinationPrincipals] = [
      'source',
      'destination',
      'security_policy',
      'source_principals',
      'destination_principals',
    ].map(column) as [number, number, number, number, number];
    for (const [from, to] of DEMO_EDGES) {
      const row = rows.find((r) => r[source] === from && r[destination] === to);
      assert.ok(row, `CSV row ${from} → ${to}`);
      assert.equal(row[policy], 'mutual_tls');
      assert.match(row[sourcePrincipals] ?? '', /^spiffe:\/\//);
      assert.match(row[destinationPrincipals] ?? '', /^spiffe:\/\//);
    }

    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await light.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${up.consoleUrl}/topology?window=1m`);
    for (const name of DEMO_WORKLOADS) await darkPage.getByTestId('topology-node').filter({ hasText: name }).first().waitFor();
    await darkPage.locator('.edge-label').first().waitFor();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'demo-topology-dark.png') });
    await darkPage.goto(`${up.consoleUrl}/audit/mtls?window=1m`);
    await darkPage.getByRole('table', { name: 'Observed edges' }).waitFor();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'demo-mtls-audit-dark.png'), fullPage: true });
    await light.close();
    await dark.close();
  });

  it('a viewer sees no mutation control on a demo service and the API refuses its mutation', async () => {
    assert.ok(browser && up);
    const admin = await browser.newContext();
    const adminPage = await signIn(admin, 'admin', up.adminPassword);
    const me = await query<{ csrfToken: string }>(adminPage, 'auth.me', undefined);
    const created = await adminPage.request.post(`${up.consoleUrl}/api/trpc/users.create`, {
      data: { username: VIEWER.username, role: 'viewer', password: VIEWER.password },
      headers: { 'x-ambit-csrf': me.csrfToken },
    });
    assert.equal(created.status(), 200, await created.text());
    await adminPage.goto(`${up.consoleUrl}/services/demo/productpage`);
    await adminPage.getByRole('button', { name: 'Delete Service' }).waitFor();

    const viewer = await browser.newContext();
    const page = await signIn(viewer, VIEWER.username, VIEWER.password);
    await page.goto(`${up.consoleUrl}/services/demo/productpage`);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Delete/ }).count(), 0, 'no Delete for a viewer');
    assert.equal(await page.getByRole('region', { name: 'Actions' }).count(), 0, 'no actions for a viewer');

    const viewerMe = await query<{ csrfToken: string; role: string }>(page, 'auth.me', undefined);
    assert.equal(viewerMe.role, 'viewer');
    const refused = await page.request.post(`${up.consoleUrl}/api/trpc/resources.delete`, {
      data: { kind: 'Service', namespace: 'demo', name: 'productpage' },
      headers: { 'x-ambit-csrf': viewerMe.csrfToken },
    });
    assert.equal(refused.status(), 403, await refused.text());
    // Still there: the refusal changed nothing.
    await adminPage.reload();
    await adminPage.getByRole('button', { name: 'Delete Service' }).waitFor();
    await admin.close();
    await viewer.close();
  });

  it('mTLS audit: the certificate inventory lists every demo workload with a future not-after, and exports it as CSV', async () => {
    assert.ok(browser && up);
    const light = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT, acceptDownloads: true });
    const page = await signIn(light, 'admin', up.adminPassword);
    // Each ztunnel asks the CA for its workloads' certificates as it learns them: poll (bounded) until all are issued.
    const deadline = Date.now() + TRAFFIC_WAIT_MS;
    let certificates: AuditCertificate[] = [];
    const valid = (c: AuditCertificate | undefined) => c?.serial !== undefined && Date.parse(c.notAfter ?? '') > Date.now();
    while (Date.now() < deadline) {
      certificates = (await query<{ certificates: AuditCertificate[] }>(page, 'audit.mtlsReport', { window: '1m' })).certificates;
      if (DEMO_WORKLOADS.every((name) => valid(certificates.find((c) => c.workload === name)))) break;
      await delay(1_000);
    }
    for (const name of DEMO_WORKLOADS) {
      const certificate = certificates.find((c) => c.workload === name);
      assert.ok(valid(certificate), `${name} has a certificate with a future not-after: ${JSON.stringify(certificate)}`);
      assert.equal(certificate?.identity.startsWith('spiffe://cluster.local/ns/demo/sa/'), true, `${name} identity`);
      assert.equal(certificate?.rotation, 'healthy', `${name} rotation`);
    }

    await page.goto(`${up.consoleUrl}/audit/mtls?window=1m`);
    const inventory = page.getByRole('table', { name: 'Certificate inventory' });
    await inventory.waitFor();
    for (const name of DEMO_WORKLOADS) {
      const row = inventory.locator(`tr[data-workload="${name}"]`).first();
      const notAfter = await row.locator('td[data-not-after]').getAttribute('data-not-after');
      assert.ok(Date.parse(notAfter ?? '') > Date.now(), `${name} not-after on the page: ${notAfter}`);
      assert.equal(await row.locator('[data-rotation]').getAttribute('data-rotation'), 'healthy', `${name} rotation on the page`);
    }
    await inventory.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'demo-mtls-certificates-light.png') });
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export certificates CSV' }).click()]);
    const [header, ...rows] = (await readFile(await csv.path(), 'utf8'))
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const workload = header?.indexOf('workload') ?? -1;
    const notAfter = header?.indexOf('not_after') ?? -1;
    assert.ok(workload >= 0 && notAfter >= 0, `certificates CSV header: ${header?.join(',')}`);
    for (const name of DEMO_WORKLOADS) {
      const row = rows.find((r) => r[workload] === name);
      assert.ok(row && Date.parse(row[notAfter] ?? '') > Date.now(), `${name} in the certificates CSV`);
    }

    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await light.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${up.consoleUrl}/audit/mtls?window=1m`);
    const darkInventory = darkPage.getByRole('table', { name: 'Certificate inventory' });
    await darkInventory.waitFor();
    await darkInventory.scrollIntoViewIfNeeded();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'demo-mtls-certificates-dark.png') });
    await light.close();
    await dark.close();
  });

  it('a workload page shows identity, certificate and per-version charts with data; a service page charts each version', async () => {
    assert.ok(browser && up);
    const light = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT });
    const page = await signIn(light, 'admin', up.adminPassword);
    await waitForDemoTraffic(page);
    const { certificates } = await query<{ certificates: AuditCertificate[] }>(page, 'audit.mtlsReport', { window: '1m' });
    const pod = certificates.find((c) => c.workload === 'reviews-v2')?.pods[0];
    assert.ok(pod, 'the reviews-v2 pod');

    // The series come from the telemetry back end's range queries: wait (bounded) until the waypoint's requests are in them.
    const hasData = (series: VersionSeriesAnswer) => series.versions.some((v) => v.requestRate.some((x) => x !== null && x > 0));
    const deadline = Date.now() + TRAFFIC_WAIT_MS;
    let series: VersionSeriesAnswer | undefined;
    while (Date.now() < deadline) {
      series = await query<VersionSeriesAnswer>(page, 'telemetry.versionSeries', {
        kind: 'workload',
        namespace: 'demo',
        name: 'reviews-v2',
        window: '5m',
      });
      if (hasData(series)) break;
      await delay(1_000);
    }
    assert.ok(series && hasData(series), `reviews-v2 request rate series: ${JSON.stringify(series)}`);

    const workloadUrl = `${up.consoleUrl}/workloads/demo/${encodeURIComponent(pod)}`;
    await page.goto(workloadUrl);
    assert.match((await page.getByTestId('workload-identity').textContent()) ?? '', /^spiffe:\/\/cluster\.local\/ns\/demo\/sa\//);
    await page.getByTestId('workload-certificate').locator('[data-rotation="healthy"]').waitFor();
    const rate = page.getByTestId('chart-request-rate');
    // A flat line has no height, which Playwright counts as hidden: wait for the path to be drawn, then check its shape.
    await rate.locator('path[data-series="v2"]').waitFor({ state: 'attached' });
    for (const chart of ['chart-request-rate', 'chart-error-percent', 'chart-p99']) {
      const d = await page.getByTestId(chart).locator('path[data-series]').first().getAttribute('d');
      assert.match(d ?? '', /^M/, `${chart} draws a line`);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'demo-workload-light.png'), fullPage: true });

    await page.goto(`${up.consoleUrl}/services/demo/reviews`);
    await page.getByTestId('chart-request-rate').waitFor();
    await page.getByTestId('chart-request-rate').locator('path[data-series="v3"]').waitFor({ state: 'attached' });
    assert.ok((await page.getByTestId('chart-request-rate').locator('path[data-series]').count()) >= 2, 'a line per reviews version');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-service-light.png'), fullPage: true });

    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await light.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(workloadUrl);
    await darkPage.getByTestId('chart-request-rate').locator('path[data-series]').first().waitFor({ state: 'attached' });
    await darkPage.screenshot({ path: join(ARTIFACTS, 'demo-workload-dark.png'), fullPage: true });
    await darkPage.goto(`${up.consoleUrl}/services/demo/reviews`);
    await darkPage.getByTestId('chart-request-rate').locator('path[data-series]').first().waitFor({ state: 'attached' });
    await darkPage.screenshot({ path: join(ARTIFACTS, 'demo-service-dark.png'), fullPage: true });
    await light.close();
    await dark.close();
  });

  it("a proxy's config dump opens: what the control plane pushed, decoded, without key material", async () => {
    assert.ok(browser && up);
    const light = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT });
    const page = await signIn(light, 'admin', up.adminPassword);
    const proxies = await query<{ id: string; kind: string }[]>(page, 'proxies.list', undefined);
    const ztunnel = proxies.find((p) => p.kind === 'ztunnel');
    assert.ok(ztunnel, `a connected ztunnel among ${proxies.map((p) => p.id).join(', ')}`);
    const dump = await query<{ types: { typeUrl: string; resources: { name: string; resource: unknown }[] }[] }>(
      page,
      'proxies.configDump',
      { proxy: ztunnel.id },
    );
    const addresses = dump.types.find((t) => t.typeUrl === 'type.googleapis.com/istio.workload.Address');
    assert.ok(addresses && addresses.resources.length > 0, 'the workload addresses pushed to the ztunnel');
    assert.doesNotMatch(JSON.stringify(dump), /PRIVATE KEY/);

    await page.goto(`${up.consoleUrl}/proxies`);
    await page.getByRole('button', { name: `Config dump of ${ztunnel.id}` }).click();
    const viewer = page.getByTestId('config-dump');
    await viewer.getByTestId('config-dump-type').filter({ hasText: 'istio.workload.Address' }).waitFor();
    assert.match((await viewer.textContent()) ?? '', /demo/);
    await viewer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'demo-proxies-light.png'), fullPage: true });

    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await light.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${up.consoleUrl}/proxies`);
    await darkPage.getByRole('button', { name: `Config dump of ${ztunnel.id}` }).click();
    await darkPage.getByTestId('config-dump-type').first().waitFor();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'demo-proxies-dark.png'), fullPage: true });
    await light.close();
    await dark.close();
  });

  it('topology: find highlights and hide removes by expression, PNG and SVG export download pictures, replay moves the graph time', async () => {
    assert.ok(browser && up);
    const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
    const page = await signIn(context, 'admin', up.adminPassword);
    await waitForDemoTraffic(page);
    await page.goto(`${up.consoleUrl}/topology?window=1m`);
    const nodes = page.getByTestId('topology-node');
    const node = (name: string) => nodes.filter({ hasText: name }).first();
    for (const name of DEMO_WORKLOADS) await node(name).waitFor();
    await page.locator('[data-testid="topology-canvas"][data-layout="applied"]').waitFor();
    // The lock is drawn (SVG with an accessible name), not an emoji that Debian's chromium shows as a box.
    assert.ok((await page.locator('.edge-label svg[role="img"][aria-label="mutual TLS"]').count()) > 0, 'SVG locks on the edges');
    assert.ok((await page.getByTestId('namespace-box').filter({ hasText: 'demo' }).count()) === 1, 'a box around the demo namespace');

    // Find: what matches is marked, the rest dimmed; the expression is in the URL.
    const find = page.getByRole('searchbox', { name: 'Find' });
    await find.fill('name ~ reviews');
    await find.press('Enter');
    await page.waitForURL(/find=name/);
    for (const name of ['reviews-v1', 'reviews-v2', 'reviews-v3'])
      await nodes.filter({ hasText: name }).and(page.locator('[data-mark="found"]')).first().waitFor();
    assert.equal(await node('productpage-v1').getAttribute('data-mark'), 'dimmed');
    // An invalid expression is explained next to the box and applies nothing.
    await find.fill('errors >');
    assert.match((await page.getByTestId('find-error').textContent()) ?? '', /expected a number after errors/);
    await find.fill('');
    await find.press('Enter');
    await page.waitForURL((url) => !url.searchParams.has('find'));
    await node('productpage-v1').and(page.locator(':not([data-mark])')).waitFor();

    // Hide: ratings goes away with its edges, the rest stays; a plaintext filter hides no demo edge (all mTLS).
    const hide = page.getByRole('searchbox', { name: 'Hide' });
    await hide.fill('name ~ ratings or !mtls');
    await hide.press('Enter');
    await page.waitForURL(/hide=/);
    await node('ratings-v1').waitFor({ state: 'detached' });
    await node('productpage-v1').waitFor();
    assert.equal(await page.locator('[data-testid^="rf__edge-"][data-testid*="ratings"]').count(), 0, 'no edge into ratings');
    await page.reload();
    await node('reviews-v2').waitFor();
    assert.equal(await node('ratings-v1').count(), 0, 'still hidden after a reload (URL state)');

    // PNG and SVG export: real, non-empty pictures of the canvas.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    const pngBytes = await readFile(await png.path());
    assert.match(png.suggestedFilename(), /^ambit-topology-workload-.*\.png$/);
    assert.ok(pngBytes.length > 2_000, `a PNG of ${pngBytes.length} bytes`);
    assert.deepEqual([...pngBytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'PNG signature');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
    const svgText = await readFile(await svg.path(), 'utf8');
    assert.match(svg.suggestedFilename(), /\.svg$/);
    assert.match(svgText, /^<svg/, 'an SVG document');
    assert.match(svgText, /productpage-v1/, 'with the nodes in it');

    // Replay: the scrubber sets the evaluation time, in the URL, and the graph shown is from that time.
    // The box follows the URL, which changes a moment after the click: click, then wait for the URL.
    await page.getByLabel('Replay the last hour').click();
    await page.waitForURL(/[?&]at=\d+/);
    const scrubber = page.getByRole('slider', { name: 'Replay time' });
    // The keyboard moves a slider as a user does: Home to an hour ago, then six 10-second steps later.
    await scrubber.focus();
    await scrubber.press('Home');
    for (let i = 0; i < 6; i++) await scrubber.press('ArrowRight');
    const chosen = Number(await scrubber.getAttribute('min')) + 60_000;
    await page.waitForURL((url) => url.searchParams.get('at') === String(chosen));
    await page.locator(`[data-testid="graph-time"][data-timestamp="${chosen}"]`).waitFor();
    const replayed = await query<{ timestamp: number }>(page, 'topology.graph', { window: '1m', at: chosen });
    assert.equal(replayed.timestamp, chosen, 'the BFF evaluates the graph at the replay time');
    // The demo's manifests were applied when the mesh started: their changes are marked on the scrubber.
    const marker = page.getByTestId('replay-change').filter({ hasText: 'Deployment demo/productpage-v1' }).first();
    await marker.waitFor();
    assert.match((await marker.getAttribute('title')) ?? '', /^create Deployment demo\/productpage-v1 by system:ambit-up$/);
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.waitForURL((url) => !url.searchParams.has('at'));
    await context.close();
  });

  it('topology: "/" focuses the node finder, and a workload chosen from the keyboard opens its panel and is centred', async () => {
    assert.ok(browser && up);
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await signIn(context, 'admin', up.adminPassword);
    await page.goto(`${up.consoleUrl}/topology?window=1m`);
    await page.locator('[data-testid="topology-canvas"][data-layout="applied"]').waitFor();
    await page.getByTestId('topology-node').filter({ hasText: 'reviews-v2' }).first().waitFor();

    // Nothing focused yet: "/" goes to the finder, as its placeholder says.
    const finder = page.getByRole('combobox', { name: 'Go to node' });
    assert.match((await finder.getAttribute('placeholder')) ?? '', /\//);
    await page.keyboard.press('/');
    assert.ok(await finder.evaluate((element) => element === document.activeElement), '"/" focused the finder');
    await page.keyboard.type('reviews-v2');
    const status = page.getByTestId('node-finder').getByRole('status');
    await status.filter({ hasText: /^\d+ nodes? match/ }).waitFor();
    assert.equal(await finder.getAttribute('aria-expanded'), 'true');
    assert.equal(await finder.getAttribute('aria-activedescendant'), null, 'typing makes no option active');

    // Up wraps to the last match; Escape closes the list and keeps the text.
    const option = page.getByRole('listbox', { name: 'Nodes' }).getByRole('option', { selected: true });
    await page.keyboard.press('ArrowUp');
    assert.equal(await finder.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
    assert.ok(await option.evaluate((element) => element.nextElementSibling === null), 'Up from the box goes to the last option');
    await page.keyboard.press('Escape');
    assert.equal(await finder.getAttribute('aria-expanded'), 'false', 'Escape closed the list');
    assert.equal(await finder.inputValue(), 'reviews-v2');
    // Down opens it again with the best match active (aria-activedescendant), Enter chooses it.
    await page.keyboard.press('ArrowDown');
    assert.match((await option.textContent()) ?? '', /^reviews-v2 workload · demo\b/);
    assert.equal(await finder.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-topology-node-finder.png') });
    await page.keyboard.press('Enter');
    await page.getByTestId('node-panel').getByRole('heading', { name: 'reviews-v2' }).waitFor();
    await page.waitForURL((url) => url.searchParams.get('node') === workloadId('reviews-v2'));
    assert.equal(await finder.getAttribute('aria-expanded'), 'false', 'the list closed');
    assert.ok(await finder.evaluate((element) => element === document.activeElement), 'focus stays in the finder');
    // The view moves so that the chosen node is in the middle of the canvas.
    await page.waitForFunction((id) => {
      const node = document.querySelector(`.react-flow__node[data-id="${id}"]`)?.getBoundingClientRect();
      const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
      if (!node || !pane) return false;
      const dx = node.left + node.width / 2 - (pane.left + pane.width / 2);
      const dy = node.top + node.height / 2 - (pane.top + pane.height / 2);
      return Math.abs(dx) < 3 && Math.abs(dy) < 3;
    }, workloadId('reviews-v2'));
    await context.close();
  });
});
