/**
 * `it` for the BFF's API tests, with fixtures: a test names what it needs in its first argument and gets it,
 * set up for that test alone and closed after it even when it fails; a test that names nothing starts nothing.
 * - `api`: a real control plane and BFF (see startApiHarness);
 * - `client`: a tRPC client signed in as that BFF's initial admin;
 * - `startApi(options)`: for a test that starts its own BFF, with options of its own, or more than one.
 */
import { test } from 'vitest';
import { type ApiHarness, type ApiHarnessOptions, adminClient, startApiHarness } from './api-harness';
import { tearDown } from './teardown';

export type StartApi = (options?: ApiHarnessOptions) => Promise<ApiHarness>;

/** vitest's `it`, with the fixtures above. */
export const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; this one has none
  .extend('startApi', async ({}, { onCleanup }) => {
    const started: ApiHarness[] = [];
    onCleanup(() => tearDown(started.splice(0).map((api) => () => api.close())));
    const startApi: StartApi = async (options = {}) => {
      const api = await startApiHarness(options);
      started.push(api);
      return api;
    };
    return startApi;
  })
  .extend('api', async ({ startApi }) => startApi())
  .extend('client', async ({ api }) => adminClient(api));
