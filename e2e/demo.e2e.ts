import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type AmbitUp, REPO_ROOT, startAmbitUp } from './support/processes';

// Debian's chromium: Playwright's own browsers cannot be downloaded here.
const CHROMIUM = process.env.AMBIT_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');
const VIEWPORT = { width: 1360, height: 860 };
const VIEWER = { username: 'demo-viewer', password: 'viewer-password-123' };
const TRAFFIC_WAIT_MS = 60_000;

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

let dataDir: string;
let up: AmbitUp | undefined;
let browser: Browser | undefined;

async function query<T>(page: Page, path: string, input: unknown): Promise<T> {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const url = `${up?.consoleUrl}/api/trpc/${path}${search}`;
  const response = await page.request.get(url);
  assert.equal(response.status(), 200, `${path}: ${await response.text()}`);
  return ((await response.json()) as { result: { data: T } }).result.data;
}

async function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${up?.consoleUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Mesh overview' }).waitFor();
  return page;
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
    const audit = await query<{ edges: AuditEdge[] }>(page, 'audit.mtls', { window: '1m' });
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
    up = await startAmbitUp(dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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
});
