import assert from 'node:assert/strict';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

// Debian's chromium: Playwright's own browsers cannot be downloaded here.
export const CHROMIUM = process.env.AMBIT_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The browser every e2e file (and the console-topology benchmark) drives. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Signs in on the console's login page and waits for the overview. */
export async function signInAt(consoleUrl: string, context: BrowserContext, username: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${consoleUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Mesh overview' }).waitFor();
  return page;
}

/** A tRPC query through the console's /api/trpc proxy, with the page's session. */
export async function trpcQuery<T>(page: Page, consoleUrl: string, path: string, input: unknown): Promise<T> {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await page.request.get(`${consoleUrl}/api/trpc/${path}${search}`);
  assert.equal(response.status(), 200, `${path}: ${await response.text()}`);
  return ((await response.json()) as { result: { data: T } }).result.data;
}
