import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signInAt, trpcQuery } from './support/browser';
import { type AmbitUp, REPO_ROOT, startAmbitUpWithWeb } from './support/processes';

const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');
const VIEWPORT = { width: 1360, height: 900 };
/** Node addresses 127.141.x.x and up: clear of demo.e2e.ts (81) and policies.e2e.ts (121). */
const FIRST_NODE = 131;
const WAIT_MS = 90_000;
/** "within a minute of demo traffic" (the issue), plus the page's 5 s refresh. */
const CONVERGE_MS = 65_000;
const VIEWER = { username: 'rollouts-viewer', password: 'viewer-password-123' };

/** The canary the wizard starts: the demo's reviews service, short analysis intervals so the run moves within seconds. */
const CANARY = {
  target: 'reviews-v1',
  service: 'reviews',
  image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.1',
  steps: '10, 20, 30, 40, 50',
  interval: '10s',
  threshold: '5',
};

interface TrafficSplit {
  route: string | null;
  backends: { name: string; weight: number }[];
}
interface RolloutDetail {
  phase: string | null;
  canaryWeight: number;
  primaryWeight: number;
  route: { name: string; backends: { name: string; weight: number }[] } | null;
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

/** Polls (bounded) until `check` returns a value; the last failure explains a timeout. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(1_000);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms ${last}\n${up?.output().slice(-4000)}`);
}

/** The measured share the page shows for one backend row, as a number (null for "—"). */
async function measuredShare(page: Page, backend: string): Promise<number | null> {
  const text = (await page.getByTestId(`split-${backend}`).getByTestId('measured-share').textContent()) ?? '';
  const match = text.match(/([\d.]+)%/);
  return match ? Number(match[1]) : null;
}

describe('rollouts and traffic splits in the console against the running demo (ambit up)', () => {
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ambit-e2e-rollouts-'));
    await mkdir(ARTIFACTS, { recursive: true });
    // The console is started by the test, so it serves the build in AMBIT_WEB_DIST_DIR (see startAmbitUpWithWeb).
    up = await startAmbitUpWithWeb(dataDir, { firstNode: FIRST_NODE });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await up?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sets a 90/10 split of reviews with the sliders, sees the measured split converge to it, and undo restores the route', async () => {
    assert.ok(browser && up);
    const light = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT });
    const page = await signIn(light, 'admin', up.adminPassword);
    page.on('dialog', (dialog) => void dialog.accept());
    const before = await query<TrafficSplit>(page, 'traffic.get', { namespace: 'demo', service: 'reviews' });

    await page.goto(`${up.consoleUrl}/services/demo/reviews/traffic`);
    await page.getByRole('heading', { name: 'Traffic split of demo/reviews' }).waitFor();
    // From "everything to reviews" to a split between the v1 and v2 Services.
    for (const backend of ['reviews-v1', 'reviews-v2']) {
      await page.getByLabel('Add a backend').selectOption(backend);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByTestId(`split-${backend}`).waitFor();
    }
    for (const name of before.backends.map((b) => b.name).filter((n) => n !== 'reviews-v1' && n !== 'reviews-v2')) {
      await page.getByRole('button', { name: `Remove ${name}`, exact: true }).click();
    }
    await page.getByRole('slider', { name: /reviews-v1/ }).fill('90');
    assert.equal(await page.getByRole('slider', { name: /reviews-v2/ }).inputValue(), '10', 'the other slider took the rest');
    assert.equal(await page.getByTestId('split-total').textContent(), 'Total 100%');
    // The route this writes, as a diff, before anything is applied.
    const diff = page.getByTestId('diff-view');
    await diff
      .getByText(/weight: 90/)
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Apply split' }).click();
    await page
      .getByTestId('traffic-result')
      .filter({ hasText: /Applied: route (created|configured)/ })
      .waitFor();
    const applied = await query<TrafficSplit>(page, 'traffic.get', { namespace: 'demo', service: 'reviews' });
    assert.deepEqual(
      applied.backends.map((b) => [b.name, b.weight]),
      [
        ['reviews-v1', 90],
        ['reviews-v2', 10],
      ],
    );

    // The demo's steady traffic makes the measured split on the page converge to the one set (±5 points).
    const converged = await eventually(
      'the measured split converging to 90/10',
      async () => {
        const [v1, v2] = [await measuredShare(page, 'reviews-v1'), await measuredShare(page, 'reviews-v2')];
        return v1 !== null && v2 !== null && Math.abs(v1 - 90) <= 5 && Math.abs(v2 - 10) <= 5 ? { v1, v2 } : undefined;
      },
      CONVERGE_MS,
    );
    assert.ok(converged.v1 >= 85 && converged.v2 <= 15);
    await page.getByTestId('chart-share').locator('path[data-series="reviews-v1"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'rollouts-traffic-light.png'), fullPage: true });

    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await light.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${up.consoleUrl}/services/demo/reviews/traffic`);
    await darkPage.getByTestId('chart-share').waitFor();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'rollouts-traffic-dark.png'), fullPage: true });
    await dark.close();

    // Undo goes back through history to the route as it was before (here: no route, all traffic to reviews).
    await page.getByRole('button', { name: 'Undo last change' }).click();
    await page
      .getByTestId('traffic-result')
      .filter({ hasText: /Undone/ })
      .waitFor();
    const undone = await query<TrafficSplit>(page, 'traffic.get', { namespace: 'demo', service: 'reviews' });
    assert.deepEqual(
      undone.backends,
      before.backends.map((b) => ({ ...b })),
      'the split from before the change',
    );
    assert.equal(undone.route, before.route);
    await page.getByTestId(`split-${before.backends[0]?.name}`).waitFor();
    await light.close();
  });

  it('starts a canary of reviews with the wizard, shows weights stepping and per-version charts, and abort rolls it back as failed', async () => {
    assert.ok(browser && up);
    const light = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT });
    const page = await signIn(light, 'admin', up.adminPassword);
    page.on('dialog', (dialog) => void dialog.accept());

    await page.goto(`${up.consoleUrl}/rollouts`);
    await page.getByRole('link', { name: 'New canary' }).click();
    await page.getByRole('heading', { name: 'New canary' }).waitFor();
    await page.getByLabel('Namespace').selectOption('demo');
    await page.getByLabel('Deployment (target)').locator('option', { hasText: CANARY.target }).first().waitFor({ state: 'attached' });
    await page.getByLabel('Deployment (target)').selectOption(CANARY.target);
    await page.getByLabel('Service', { exact: true }).selectOption(CANARY.service);
    await page.getByLabel('Image').fill(CANARY.image);
    await page.getByLabel('Canary weights').fill(CANARY.steps);
    await page.getByLabel('Analysis interval').fill(CANARY.interval);
    await page.getByLabel('Failed checks before rollback').fill(CANARY.threshold);
    await page.getByRole('button', { name: 'Preview YAML' }).click();
    const yaml = page.getByRole('region', { name: 'Preview' });
    await yaml.getByText('kind: Canary').waitFor();
    await yaml.getByText(/10% → 20% → 30% → 40% → 50% → promote/).waitFor();
    await page.getByRole('button', { name: 'Apply and start' }).click();
    await page.waitForURL(/\/rollouts\/demo\/[a-z0-9-]+$/, { timeout: WAIT_MS });
    const name = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

    // Live: the timeline moves from one step to the next while the charts fill per version.
    const timeline = page.getByTestId('step-timeline');
    await timeline.locator('[data-state="current"]').filter({ hasText: '10%' }).waitFor({ timeout: WAIT_MS });
    await timeline.locator('[data-state="current"]').filter({ hasText: '20%' }).waitFor({ timeout: WAIT_MS });
    await timeline.locator('[data-state="done"]').filter({ hasText: '10%' }).waitFor();
    const weights = page.getByTestId('chart-weights');
    await weights.locator('path[data-series="canary set"]').waitFor();
    await eventually('per-version measurements on the rollout page', async () => {
      const legend = (await page.getByTestId('chart-success-rate').getByRole('list').textContent()) ?? '';
      return /measured: \d/.test(legend) ? legend : undefined;
    });
    await page.screenshot({ path: join(ARTIFACTS, 'rollouts-rollout-light.png'), fullPage: true });

    await page.goto(`${up.consoleUrl}/rollouts`);
    const row = page.getByRole('row').filter({ hasText: name });
    await row.getByTestId('rollout-phase').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'rollouts-list-light.png'), fullPage: true });
    await row.getByRole('link', { name }).click();

    // Abort: all traffic back to the primary, the run failed, and the page says why.
    await page.getByRole('button', { name: 'Abort (roll back)' }).click();
    await page.locator('[data-testid="rollout-phase"][data-phase="Failed"]').waitFor({ timeout: WAIT_MS });
    const reason = (await page.getByTestId('failure-reason').textContent()) ?? '';
    assert.match(reason, /Run failed: Rolling back .*requested by admin/, 'the failure names its reason: the abort and who asked');
    await page.getByTestId('rollout-weights').filter({ hasText: '100 / 0' }).waitFor();
    await timeline.locator('[data-state="failed"]').waitFor();
    const failed = await query<RolloutDetail>(page, 'rollouts.get', { namespace: 'demo', name });
    assert.equal(failed.phase, 'Failed');
    assert.equal(failed.canaryWeight, 0);
    assert.equal(failed.primaryWeight, 100);
    assert.ok(failed.route, 'the route stays, with all the weight on the primary');
    assert.equal(
      failed.route.backends.reduce((sum, b) => sum + b.weight, 0),
      100,
    );
    assert.equal(Math.max(...failed.route.backends.map((b) => b.weight)), 100);

    // The finished run stays viewable, in both themes.
    await page.reload();
    await page.getByTestId('failure-reason').waitFor();
    await page
      .getByTestId('chart-weights')
      .getByText(/primary measured: \d/)
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'rollouts-rollout-failed-light.png'), fullPage: true });
    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await light.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${up.consoleUrl}/rollouts/demo/${encodeURIComponent(name)}`);
    await darkPage.getByTestId('failure-reason').waitFor();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'rollouts-rollout-dark.png'), fullPage: true });
    await darkPage.goto(`${up.consoleUrl}/rollouts`);
    await darkPage.getByRole('table', { name: 'Rollouts' }).waitFor();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'rollouts-list-dark.png'), fullPage: true });
    await dark.close();

    // A viewer sees the run but no action, and the API refuses the action.
    const me = await query<{ csrfToken: string }>(page, 'auth.me', undefined);
    const created = await page.request.post(`${up.consoleUrl}/api/trpc/users.create`, {
      data: { username: VIEWER.username, role: 'viewer', password: VIEWER.password },
      headers: { 'x-ambit-csrf': me.csrfToken },
    });
    assert.equal(created.status(), 200, await created.text());
    const viewer = await browser.newContext({ viewport: VIEWPORT });
    const viewerPage = await signIn(viewer, VIEWER.username, VIEWER.password);
    await viewerPage.goto(`${up.consoleUrl}/rollouts/demo/${encodeURIComponent(name)}`);
    await viewerPage.getByTestId('failure-reason').waitFor();
    assert.equal(await viewerPage.getByRole('region', { name: 'Actions' }).count(), 0, 'no actions for a viewer');
    const viewerMe = await query<{ csrfToken: string }>(viewerPage, 'auth.me', undefined);
    const refused = await viewerPage.request.post(`${up.consoleUrl}/api/trpc/rollouts.retry`, {
      data: { namespace: 'demo', name },
      headers: { 'x-ambit-csrf': viewerMe.csrfToken },
    });
    assert.equal(refused.status(), 403, await refused.text());
    await viewer.close();
    await light.close();
  });
});
