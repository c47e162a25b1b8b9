import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signInAt } from './support/browser';
import { type AmbitServe, REPO_ROOT, type RunningProcess, startAmbitServe, startWeb } from './support/processes';

const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');
const VIEWER = { username: 'e2e-viewer', password: 'viewer-password-123' };
const SERVICE_YAML = `apiVersion: v1
kind: Service
metadata:
  name: e2e-web
  namespace: default
  labels:
    app: e2e-web
spec:
  selector:
    app: e2e-web
  ports:
  - name: http
    port: 8080
`;

let dataDir: string;
let serve: AmbitServe | undefined;
let web: (RunningProcess & { url: string }) | undefined;
let browser: Browser | undefined;

function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
  return signInAt(web?.url ?? '', context, username, password);
}

/** A mutation as the console makes it: session cookie plus the CSRF token from auth.me. */
async function mutate(page: Page, path: string, input: unknown): Promise<void> {
  const me = await page.request.get(`${web?.url}/api/trpc/auth.me`);
  const csrfToken = ((await me.json()) as { result: { data: { csrfToken: string } } }).result.data.csrfToken;
  const response = await page.request.post(`${web?.url}/api/trpc/${path}`, { data: input, headers: { 'x-ambit-csrf': csrfToken } });
  assert.equal(response.status(), 200, `${path}: ${await response.text()}`);
}

const PAGES = [
  { name: 'overview', path: '/', ready: (p: Page) => p.getByText('Ambient coverage').waitFor() },
  {
    name: 'proxies',
    path: '/proxies',
    ready: (p: Page) =>
      p
        .getByText(/No proxies are connected|Resource types/)
        .first()
        .waitFor(),
  },
  { name: 'services', path: '/services', ready: (p: Page) => p.getByRole('link', { name: 'e2e-web' }).waitFor() },
  { name: 'service', path: '/services/default/e2e-web', ready: (p: Page) => p.getByRole('heading', { name: 'History' }).waitFor() },
  { name: 'workloads', path: '/workloads', ready: (p: Page) => p.getByRole('heading', { name: 'Workloads' }).waitFor() },
  { name: 'topology', path: '/topology?window=5m', ready: (p: Page) => p.getByTestId('topology-node').first().waitFor() },
  { name: 'mtls-audit', path: '/audit/mtls', ready: (p: Page) => p.getByRole('heading', { name: 'Workloads' }).waitFor() },
];

describe('Ambit console against ambit serve', () => {
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ambit-e2e-'));
    await mkdir(ARTIFACTS, { recursive: true });
    serve = await startAmbitServe(dataDir);
    web = await startWeb(serve.bffUrl);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await web?.stop();
    await serve?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('signs in, shows the overview, proxies and topology, keeps the topology window across a reload, in light and dark', async () => {
    assert.ok(browser && web && serve);
    const light = await browser.newContext({ colorScheme: 'light', viewport: { width: 1360, height: 860 }, acceptDownloads: true });
    const page = await signIn(light, 'admin', serve.adminPassword);
    assert.match((await page.getByTestId('whoami').textContent()) ?? '', /admin \(admin\)/);
    await mutate(page, 'resources.applyManifests', { yaml: SERVICE_YAML });

    await page.getByRole('link', { name: 'Proxies' }).click();
    await page.getByRole('heading', { name: 'Proxies' }).waitFor();
    await page.getByRole('link', { name: 'Topology' }).click();
    await page.getByRole('heading', { name: 'Topology' }).waitFor();

    await page.goto(`${web.url}/topology?window=15m`);
    await page.getByLabel('Window').selectOption('1h');
    await page.waitForURL(/window=1h/);
    await page.reload();
    assert.equal(await page.getByLabel('Window').inputValue(), '1h', 'the window chosen before the reload');
    await page.goto(`${web.url}/topology?window=5m`);
    await page.reload();
    assert.equal(await page.getByLabel('Window').inputValue(), '5m');

    // The registry's service is a node (laid out by ELK in the worker); clicking it opens its panel and puts it in the URL.
    const node = page.getByTestId('topology-node').filter({ hasText: 'e2e-web' });
    await node.click();
    await page.getByTestId('node-panel').getByRole('heading', { name: 'e2e-web' }).waitFor();
    await page.waitForURL(/node=/);
    await page.reload();
    await page.getByTestId('node-panel').getByRole('heading', { name: 'e2e-web' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as { nodes: { id: string }[] };
    await node.waitFor();
    const shown = await page.getByTestId('topology-node').count();
    assert.equal(exported.nodes.length, shown, 'the export has the nodes on screen');
    assert.ok(exported.nodes.some((n) => n.id.includes('e2e-web')));

    await page.getByRole('link', { name: 'mTLS audit' }).click();
    await page.getByRole('heading', { name: 'mTLS audit' }).waitFor();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export edges CSV' }).click()]);
    assert.match(csv.suggestedFilename(), /^ambit-mtls-audit-edges-.*\.csv$/);

    const dark = await browser.newContext({
      colorScheme: 'dark',
      viewport: { width: 1360, height: 860 },
      storageState: await light.storageState(),
    });
    const darkPage = await dark.newPage();
    for (const { name, path, ready } of PAGES) {
      for (const [scheme, p] of [
        ['light', page],
        ['dark', darkPage],
      ] as const) {
        await p.goto(`${web.url}${path}`);
        await ready(p);
        await p.screenshot({ path: join(ARTIFACTS, `${name}-${scheme}.png`), fullPage: true });
      }
    }
    const background = await darkPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(17, 20, 24)', 'dark theme from prefers-color-scheme');
    await light.close();
    await dark.close();
  });

  it('a viewer sees no mutation controls, an operator-level admin does, and the API refuses the viewer', async () => {
    assert.ok(browser && web && serve);
    const admin = await browser.newContext();
    const adminPage = await signIn(admin, 'admin', serve.adminPassword);
    await mutate(adminPage, 'resources.applyManifests', { yaml: SERVICE_YAML });
    await mutate(adminPage, 'users.create', { username: VIEWER.username, role: 'viewer', password: VIEWER.password });
    await adminPage.goto(`${web.url}/services/default/e2e-web`);
    await adminPage.getByRole('button', { name: 'Delete Service' }).waitFor();

    const viewer = await browser.newContext();
    const page = await signIn(viewer, VIEWER.username, VIEWER.password);
    await page.goto(`${web.url}/services/default/e2e-web`);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete Service' }).count(), 0);

    const me = await page.request.get(`${web.url}/api/trpc/auth.me`);
    const csrfToken = ((await me.json()) as { result: { data: { csrfToken: string } } }).result.data.csrfToken;
    const refused = await page.request.post(`${web.url}/api/trpc/resources.delete`, {
      data: { kind: 'Service', namespace: 'default', name: 'e2e-web' },
      headers: { 'x-ambit-csrf': csrfToken },
    });
    assert.equal(refused.status(), 403);
    await admin.close();
    await viewer.close();
  });

  it('signed out, every page sends the user to sign in and back', async () => {
    assert.ok(browser && web);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.url}/topology?window=30m`);
    await page.waitForURL(/\/login\?next=/);
    assert.equal(new URL(page.url()).searchParams.get('next'), '/topology?window=30m');
    await context.close();
  });
});
