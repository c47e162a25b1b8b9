import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, signInAt, trpcQuery } from './support/browser';
import { type AmbitUp, REPO_ROOT, type RunningProcess, startAmbitUp, startWeb } from './support/processes';

const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');
const VIEWPORT = { width: 1360, height: 900 };
/** Nodes 121-122 (127.131.x.x, 127.132.x.x): a range of its own, clear of the other e2e files and the BFF tests. */
const FIRST_NODE = 121;
const WAIT_MS = 90_000;

const POLICY = 'deny-reviews-to-ratings';
const REVIEWS = 'cluster.local/ns/demo/sa/bookinfo-reviews';
/** An ALLOW policy with an HTTP method that ztunnel enforces (selector, no targetRefs): line 13 holds the L7 field. */
const L7_AT_ZTUNNEL = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ratings-get-only
  namespace: demo
spec:
  selector:
    matchLabels:
      app: ratings
  action: ALLOW
  rules:
  - to:
    - operation:
        methods: ["GET"]
`;

interface GraphEdge {
  id: string;
  source: string;
  target: string;
  requestsPerSecond: number;
  errorRate: number | null;
  health: string;
}

let dataDir: string;
let up: AmbitUp | undefined;
/** This file's console build (AMBIT_WEB_DIST_DIR) on the demo's API: `ambit up` starts `next start` without that variable. */
let web: (RunningProcess & { url: string }) | undefined;
let consoleUrl = '';
let browser: Browser | undefined;

function query<T>(page: Page, path: string, input: unknown): Promise<T> {
  return trpcQuery<T>(page, consoleUrl, path, input);
}

function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
  return signInAt(consoleUrl, context, username, password);
}

/** `ambit curl` from a demo workload, as a user would run it against the same data directory. */
function curl(from: string, url: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['apps/bff/bin/ambit.js', '--data-dir', dataDir, 'curl', '--from', from, url],
      { cwd: REPO_ROOT, timeout: 30_000, env: { ...process.env, AMBIT_LOG_LEVEL: 'warn' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** Polls (bounded) until `check` passes; the last failure explains a timeout. */
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

/** The workload-graph hops reviews-v2 → ratings service → ratings-v1 (the graph routes calls through services). */
function reviewsToRatings(edges: GraphEdge[]): GraphEdge[] {
  const call = edges.find((e) => e.source === 'wl:demo/reviews-v2' && e.target === 'svc:demo/ratings');
  return call ? [call, ...edges.filter((e) => e.source === call.target && e.target === 'wl:demo/ratings-v1')] : [];
}

/** Replaces the YAML editor's text the way a user would: select all, type over it. */
async function replaceYaml(page: Page, text: string): Promise<void> {
  const content = page.getByTestId('yaml-editor').locator('.cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  // insertText is one input event: no auto-indent on each newline, as a paste.
  await page.keyboard.insertText(text);
}

/** Waits (bounded) until the element's text matches: the console updates after debounced checks and refetches. */
async function expectText(locator: Locator, pattern: RegExp): Promise<string> {
  try {
    await locator.filter({ hasText: pattern }).first().waitFor({ timeout: 30_000 });
  } catch {
    assert.match(
      (await locator
        .first()
        .textContent({ timeout: 1_000 })
        .catch(() => '')) ?? '',
      pattern,
    );
  }
  return (await locator.filter({ hasText: pattern }).first().textContent()) ?? '';
}

describe('policy administration in the console against the running demo (ambit up)', () => {
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ambit-e2e-policies-'));
    await mkdir(ARTIFACTS, { recursive: true });
    up = await startAmbitUp(dataDir, { firstNode: FIRST_NODE });
    const api = up.output().match(/Console API: (http:\/\/\S+)\/api\/trpc/)?.[1];
    assert.ok(api, `ambit up printed its API address:\n${up.output()}`);
    web = await startWeb(api);
    consoleUrl = web.url;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await web?.stop();
    await up?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('drafts a DENY in the form, previews its impact, applies it, sees traffic refused, and reverts it from /history', async () => {
    assert.ok(browser && up);
    const light = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT });
    const page = await signIn(light, 'admin', up.adminPassword);

    // Traffic first: the impact preview replays what the proxies saw.
    await eventually('reviews-v2 → ratings traffic', async () => {
      const graph = await query<{ edges: GraphEdge[] }>(page, 'topology.graph', { window: '1m' });
      const hops = reviewsToRatings(graph.edges);
      return hops.length >= 2 && hops.every((h) => h.requestsPerSecond > 0) ? hops : undefined;
    });
    const before = await curl('demo/reviews-v2', 'http://ratings.demo:9080/ratings/0');
    assert.equal(before.code, 0, `ratings answers reviews before the policy: ${before.output}`);

    await page.goto(`${consoleUrl}/policies`);
    await page.getByRole('heading', { name: 'Policies' }).waitFor();

    // Draft in the form: DENY from the reviews service account to the ratings Service (enforced at the demo's waypoint).
    await page.getByRole('link', { name: 'New AuthorizationPolicy' }).click();
    await page.getByRole('heading', { name: 'New AuthorizationPolicy' }).waitFor();
    await page.getByTestId('validation-summary').waitFor();
    await page.getByRole('tab', { name: 'Form' }).click();
    const form = page.getByTestId('policy-form');
    await form.getByLabel('Name', { exact: true }).fill(POLICY);
    await form.getByLabel('Namespace', { exact: true }).fill('demo');
    await form.getByLabel('Applies to', { exact: true }).selectOption('service');
    await form.getByLabel('Service name', { exact: true }).fill('ratings');
    await form.getByLabel('Action', { exact: true }).selectOption('DENY');
    await form.getByLabel('Source principals', { exact: true }).fill(REVIEWS);
    // Switching to YAML keeps the form's content.
    await page.getByRole('tab', { name: 'YAML' }).click();
    const yamlText = await expectText(page.getByTestId('yaml-editor').locator('.cm-content'), new RegExp(POLICY));
    assert.match(yamlText, /action: DENY/);
    assert.match(yamlText, /kind: Service\s*name: ratings/);
    await page.getByRole('tab', { name: 'Form' }).click();
    assert.equal(await form.getByLabel('Source principals', { exact: true }).inputValue(), REVIEWS, 'the form reads back what it wrote');
    await expectText(page.getByTestId('validation-summary'), /AuthorizationPolicy\/demo\/deny-reviews-to-ratings would be created/);

    await page.getByRole('button', { name: 'Preview impact (last 5 minutes)' }).click();
    const denied = page.getByRole('table', { name: 'Would be denied' });
    await denied.waitFor({ timeout: 30_000 });
    const flows = await denied.getByTestId('impact-flow').allTextContents();
    const reviewsFlows = flows.filter((f) => /reviews/.test(f) && /ratings/.test(f));
    assert.ok(reviewsFlows.length > 0, `reviews → ratings flows in the preview: ${flows.join(' | ')}`);
    assert.ok(
      reviewsFlows.every((f) => /allowed/.test(f) && /denied/.test(f)),
      'each listed flow goes from allowed to denied',
    );
    await expectText(page.getByTestId('impact-report'), /[1-9]\d* would be denied/);
    await page.screenshot({ path: join(ARTIFACTS, 'policies-editor-form-light.png'), fullPage: true });

    // Apply shows the diff against the stored version (none yet) first.
    await page.getByRole('button', { name: 'Review and apply' }).click();
    const review = page.getByRole('region', { name: 'Review the change' });
    await review.getByTestId('diff-view').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'policies-editor-diff-light.png'), fullPage: true });
    await review.getByRole('button', { name: 'Apply' }).click();
    await expectText(page.getByTestId('apply-result'), /AuthorizationPolicy\/demo\/deny-reviews-to-ratings created/);

    // The mesh enforces it: ambit curl is refused and the topology shows the reviews → ratings hops failing.
    const refused = await eventually('ambit curl refused', async () => {
      const answer = await curl('demo/reviews-v2', 'http://ratings.demo:9080/ratings/0');
      return answer.code !== 0 ? answer : undefined;
    });
    assert.match(refused.output, /403|denied|reset|refused/i, refused.output);
    const failing = await eventually('failing reviews → ratings edges', async () => {
      const graph = await query<{ edges: GraphEdge[] }>(page, 'topology.graph', { window: '1m' });
      // The waypoint answers 403 on the reviews-v2 → ratings hop; nothing reaches ratings-v1 any more.
      const [call] = reviewsToRatings(graph.edges);
      return call && (call.errorRate ?? 0) > 0 && (call.health === 'degraded' || call.health === 'failure') ? call : undefined;
    });
    // The list shows it: attached to the ratings Service, so enforced at the waypoint, with DENY.
    await page.goto(`${consoleUrl}/policies`);
    const row = page.getByTestId('policy-row').filter({ hasText: POLICY });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(0, 6), ['AuthorizationPolicy', 'demo', POLICY, 'waypoint', 'waypoint', 'DENY'], cells.join(' | '));
    await page.screenshot({ path: join(ARTIFACTS, 'policies-list-light.png'), fullPage: true });

    await page.goto(`${consoleUrl}/topology?window=1m`);
    await page.getByTestId(`rf__edge-${failing.id}`).waitFor({ state: 'attached' });
    await page.screenshot({ path: join(ARTIFACTS, 'policies-topology-denied-light.png') });

    // The simulator agrees: the waypoint denies reviews-v2 → ratings, by this policy.
    await page.goto(`${consoleUrl}/policies/simulate`);
    await page.getByRole('button', { name: 'Simulate' }).click();
    const result = page.getByTestId('simulation-result');
    await expectText(result.getByRole('heading'), /DENY/);
    await expectText(result, new RegExp(`demo/${POLICY}`));
    await page.screenshot({ path: join(ARTIFACTS, 'policies-simulate-light.png'), fullPage: true });

    // /history shows the change; reverting it (confirmed) deletes the policy as a new change, and traffic comes back.
    await page.goto(`${consoleUrl}/history`);
    const rows = page.getByTestId('history-row');
    const created = rows.filter({ hasText: `AuthorizationPolicy/demo/${POLICY}` }).filter({ hasText: 'create' });
    await created.first().waitFor();
    await expectText(created.first(), /admin/);
    await created.first().getByRole('button', { name: 'Diff' }).click();
    await page.getByRole('region', { name: 'Diff of the change' }).getByTestId('diff-view').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'history-light.png'), fullPage: true });
    await created.first().getByRole('button', { name: 'Revert' }).click();
    await page.getByRole('alertdialog', { name: 'Confirm revert' }).getByRole('button', { name: 'Confirm revert' }).click();
    await page.getByText('Reverted; the revert is recorded as a new change at the top.').waitFor();
    await rows
      .filter({ hasText: `AuthorizationPolicy/demo/${POLICY}` })
      .filter({ hasText: 'delete' })
      .first()
      .waitFor();
    await eventually('ambit curl answered again', async () => {
      const answer = await curl('demo/reviews-v2', 'http://ratings.demo:9080/ratings/0');
      return answer.code === 0 ? answer : undefined;
    });

    // Least-privilege ALLOW policies from the observed traffic: previewed, then handed to the editor to edit and apply.
    await page.goto(`${consoleUrl}/policies/generate`);
    await page.getByLabel('Namespace', { exact: true }).selectOption('demo');
    await page.getByRole('button', { name: 'Generate from observed traffic' }).click();
    const generated = page.getByRole('region', { name: 'Generated policies' });
    await expectText(generated.getByTestId('yaml-editor'), /kind: AuthorizationPolicy[\s\S]*action: ALLOW/);
    await page.screenshot({ path: join(ARTIFACTS, 'policies-generate-light.png'), fullPage: true });
    await generated.getByRole('button', { name: 'Edit and apply in the editor' }).click();
    await page.getByRole('heading', { name: 'Generated policies' }).waitFor();
    await expectText(page.getByTestId('validation-summary'), /AuthorizationPolicy\/demo\/.* would be created/);
    await page.getByRole('button', { name: 'Review and apply' }).waitFor();

    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await light.storageState() });
    const darkPage = await dark.newPage();
    for (const [path, heading, file] of [
      ['/history', 'Config history', 'history-dark.png'],
      ['/policies/simulate', 'Simulate a request', 'policies-simulate-dark.png'],
    ] as const) {
      await darkPage.goto(`${consoleUrl}${path}`);
      await darkPage.getByRole('heading', { name: heading }).waitFor();
      if (path === '/policies/simulate') {
        await darkPage.getByRole('button', { name: 'Simulate' }).click();
        await darkPage.getByTestId('simulation-result').waitFor();
      }
      if (path === '/history') await darkPage.getByTestId('history-row').first().waitFor();
      await darkPage.screenshot({ path: join(ARTIFACTS, file), fullPage: true });
    }
    await light.close();
    await dark.close();
  });

  it('marks the L7 field of a ztunnel-enforced policy in YAML mode, and refuses bad input without changing anything', async () => {
    assert.ok(browser && up);
    const context = await browser.newContext({ colorScheme: 'light', viewport: VIEWPORT });
    const page = await signIn(context, 'admin', up.adminPassword);
    const policiesBefore = await query<{ items: unknown[] }>(page, 'resources.list', { kind: 'AuthorizationPolicy' });

    await page.goto(`${consoleUrl}/policies/edit?new=AuthorizationPolicy&namespace=demo`);
    await page.getByTestId('validation-summary').waitFor();
    await replaceYaml(page, L7_AT_ZTUNNEL);
    // The analysis marker sits on the `methods` line (line 14), where the problem list says it is.
    const problems = page.getByRole('list', { name: 'Problems' });
    const marker = problems.getByRole('listitem').filter({ hasText: /AMB000[13]/ });
    await expectText(marker.first(), /line 14: AMB000[13] spec\.rules\[0\]\.to\[0\]\.operation\.methods/);
    const methodsLine = page.getByTestId('yaml-editor').locator('.cm-line', { hasText: 'methods:' });
    await methodsLine.locator('.cm-lintRange-warning').first().waitFor();
    assert.equal(
      await page.getByTestId('yaml-editor').locator('.cm-line', { hasText: 'app: ratings' }).locator('.cm-lintRange').count(),
      0,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'policies-editor-yaml-light.png'), fullPage: true });
    const dark = await browser.newContext({ colorScheme: 'dark', viewport: VIEWPORT, storageState: await context.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${consoleUrl}/policies/edit?new=AuthorizationPolicy&namespace=demo`);
    await darkPage.getByTestId('validation-summary').waitFor();
    await replaceYaml(darkPage, L7_AT_ZTUNNEL);
    await darkPage.getByTestId('yaml-editor').locator('.cm-lintRange-warning').first().waitFor();
    await darkPage.screenshot({ path: join(ARTIFACTS, 'policies-editor-yaml-dark.png'), fullPage: true });
    await dark.close();

    const apply = page.getByRole('button', { name: 'Review and apply' });
    const summary = page.getByTestId('validation-summary');
    // Broken YAML.
    await replaceYaml(page, 'kind: AuthorizationPolicy\nspec: [1, 2\n');
    await expectText(summary, /cannot be applied/);
    await expectText(problems.getByRole('listitem').first(), /InvalidYaml/);
    assert.equal(await apply.isDisabled(), true, 'apply is disabled');
    // A wrong kind.
    await replaceYaml(page, L7_AT_ZTUNNEL.replace('kind: AuthorizationPolicy', 'kind: AuthorisationPolicy'));
    await expectText(problems.getByRole('listitem').first(), /line 2: UnknownKind kind/);
    // A namespace that does not exist.
    await replaceYaml(page, L7_AT_ZTUNNEL.replace('namespace: demo', 'namespace: nowhere'));
    await expectText(problems.getByRole('listitem').filter({ hasText: 'NamespaceNotFound' }).first(), /line 5: .*"nowhere" does not exist/);
    assert.equal(await apply.isDisabled(), true);

    // A stale version: the stored object changes after the editor opened it; apply is refused, the draft kept.
    const created = await page.request.post(`${consoleUrl}/api/trpc/resources.applyManifests`, {
      data: { yaml: L7_AT_ZTUNNEL.replace('ratings-get-only', 'stale-test') },
      headers: { 'x-ambit-csrf': (await query<{ csrfToken: string }>(page, 'auth.me', undefined)).csrfToken },
    });
    assert.equal(created.status(), 200, await created.text());
    await page.goto(`${consoleUrl}/policies/edit?kind=AuthorizationPolicy&namespace=demo&name=stale-test`);
    await page.getByRole('tab', { name: 'Form' }).click();
    await page.getByTestId('policy-form').getByLabel('Methods', { exact: true }).waitFor();
    // Someone else changes the policy after the editor read it; then this user edits the form.
    const other = await page.request.post(`${consoleUrl}/api/trpc/resources.applyManifests`, {
      data: { yaml: L7_AT_ZTUNNEL.replace('ratings-get-only', 'stale-test').replace('"GET"', '"POST"') },
      headers: { 'x-ambit-csrf': (await query<{ csrfToken: string }>(page, 'auth.me', undefined)).csrfToken },
    });
    assert.equal(other.status(), 200, await other.text());
    await page.getByTestId('policy-form').getByLabel('Methods', { exact: true }).fill('GET, HEAD');
    await expectText(summary, /cannot be applied/);
    await expectText(problems.getByRole('listitem').filter({ hasText: 'Conflict' }).first(), /metadata\.resourceVersion/);
    assert.equal(
      await page.getByTestId('policy-form').getByLabel('Methods', { exact: true }).inputValue(),
      'GET, HEAD',
      'the draft is kept',
    );
    const stored = await query<{ spec: { rules: { to: { operation: { methods: string[] } }[] }[] } }>(page, 'resources.get', {
      kind: 'AuthorizationPolicy',
      namespace: 'demo',
      name: 'stale-test',
    });
    assert.deepEqual(stored.spec.rules[0]?.to[0]?.operation.methods, ['POST'], 'the other change stands; the stale edit changed nothing');
    const policiesAfter = await query<{ items: unknown[] }>(page, 'resources.list', { kind: 'AuthorizationPolicy' });
    assert.equal(policiesAfter.items.length, policiesBefore.items.length + 1, 'only the test object was added');
    // The list shows the policy's analysis messages (its L7 field is enforced by ztunnel).
    const darkListContext = await browser.newContext({
      colorScheme: 'dark',
      viewport: VIEWPORT,
      storageState: await context.storageState(),
    });
    const darkList = await darkListContext.newPage();
    await darkList.goto(`${consoleUrl}/policies`);
    await expectText(darkList.getByTestId('policy-row').filter({ hasText: 'stale-test' }), /AMB0001/);
    await darkList.screenshot({ path: join(ARTIFACTS, 'policies-list-dark.png'), fullPage: true });
    await darkListContext.close();
    await context.close();
  });
});
