import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlPlane, startControlPlane } from '@ambit/control-plane/control-plane';
import {
  createTRPCClient,
  createTRPCUntypedClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
  type TRPCLink,
} from '@trpc/client';
import type { AnyProcedure } from '@trpc/server';
import { EventSource } from 'eventsource';
import { pino } from 'pino';
import { API_PATH, type Bff, type BffOptions, startBff } from '../../src/server/bff';
import { type AppRouter, appRouter } from '../../src/server/router';
import type { ProcedureMeta } from '../../src/server/trpc';
import { tearDown } from './teardown';

/** A real control plane and BFF on 127.0.0.1 with free ports, in a temp data dir. */
export interface ApiHarness {
  dataDir: string;
  controlPlane: ControlPlane;
  bff: Bff;
  apiUrl: string;
  admin: { username: string; password: string };
  /** Stops both and removes the data dir, all three even when one fails (the first failure is thrown); a second call waits for the first. */
  close(): Promise<void>;
}

/** What a test may set on the BFF (the harness owns its control plane and data dir). */
export type ApiHarnessOptions = Partial<Omit<BffOptions, 'controlPlane' | 'dataDir'>>;

export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ambit-bff-api-'));
  const logger = pino({ level: 'silent' });
  let controlPlane: ControlPlane | undefined;
  let bff: Bff | undefined;
  const stopAll = () => tearDown([() => bff?.close(), () => controlPlane?.stop(), () => rmSync(dataDir, { recursive: true, force: true })]);
  try {
    controlPlane = await startControlPlane({ dataDir, xdsPort: 0, secureXdsPort: 0, monitoringPort: 0, logger });
    bff = await startBff({ controlPlane, dataDir, host: '127.0.0.1', port: 0, logger, ...options });
    const admin = bff.initialAdmin;
    if (!admin) throw new Error('a fresh data dir must get an initial admin');
    let closing: Promise<void> | undefined;
    return {
      dataDir,
      controlPlane,
      bff,
      apiUrl: `${bff.url}${API_PATH}`,
      admin,
      close() {
        closing ??= stopAll();
        return closing;
      },
    };
  } catch (error) {
    // The startup failure is the one to report; a teardown failure behind it would hide it.
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** How a test client proves who it is: a browser session (cookie + CSRF header) or an API token. */
export interface Credentials {
  cookie?: string;
  csrfToken?: string;
  bearer?: string;
}

function headersFor(credentials: Credentials): Record<string, string> {
  return {
    ...(credentials.cookie ? { cookie: credentials.cookie } : {}),
    ...(credentials.csrfToken ? { 'x-ambit-csrf': credentials.csrfToken } : {}),
    ...(credentials.bearer ? { authorization: `Bearer ${credentials.bearer}` } : {}),
  };
}

/** The links a console or CLI would use: httpLink for queries and mutations, SSE (EventSource ponyfill with our headers) for subscriptions. */
function links(apiUrl: string, credentials: Credentials): TRPCLink<AppRouter>[] {
  const headers = headersFor(credentials);
  return [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({
        url: apiUrl,
        EventSource,
        eventSourceOptions: {
          fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
        },
      }),
      false: httpLink({ url: apiUrl, headers }),
    }),
  ];
}

export function apiClient(apiUrl: string, credentials: Credentials = {}) {
  return createTRPCClient<AppRouter>({ links: links(apiUrl, credentials) });
}

export function untypedClient(apiUrl: string, credentials: Credentials = {}) {
  return createTRPCUntypedClient<AppRouter>({ links: links(apiUrl, credentials) });
}

/** Signs in over plain HTTP, as the console's login form does, and returns the session cookie and CSRF token. */
export async function signIn(
  apiUrl: string,
  username: string,
  password: string,
): Promise<Required<Pick<Credentials, 'cookie' | 'csrfToken'>>> {
  const response = await fetch(`${apiUrl}/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { result?: { data: { csrfToken: string } }; error?: { message: string } };
  if (!response.ok || !body.result) throw new Error(`sign-in as ${username} failed: ${response.status} ${body.error?.message}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';', 1)[0] ?? '';
  return { cookie, csrfToken: body.result.data.csrfToken };
}

/** A client signed in (session cookie and CSRF token) as the harness' initial admin, as the console is after login. */
export async function adminClient(api: ApiHarness) {
  return apiClient(api.apiUrl, await signIn(api.apiUrl, api.admin.username, api.admin.password));
}

/** The tRPC error code of a failed call (`UNAUTHORIZED`, `BAD_REQUEST`...), and its message. */
export function failure(error: unknown): {
  code: string;
  message: string;
  httpStatus?: number;
  ambit?: { code: string; details: { path?: string; document?: number; message: string }[] };
} {
  if (!(error instanceof TRPCClientError)) throw error;
  const data = error.data as { code: string; httpStatus?: number; ambit?: never } | undefined;
  return {
    code: data?.code ?? 'UNKNOWN',
    message: error.message,
    ...(data?.httpStatus ? { httpStatus: data.httpStatus } : {}),
    ...(data?.ambit ? { ambit: data.ambit } : {}),
  };
}

/** Runs a call that must fail; returns how it failed. */
export async function expectFailure(call: Promise<unknown>): Promise<ReturnType<typeof failure>> {
  try {
    await call;
  } catch (error) {
    return failure(error);
  }
  throw new Error('the call succeeded but was expected to fail');
}

/** Every procedure of the router, read from the router itself: a new procedure is in the tests' tables without anyone adding it. */
export function routerProcedures(): {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  role: ProcedureMeta['role'] | undefined;
}[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  return Object.entries(procedures).map(([path, procedure]) => ({
    path,
    type: procedure._def.type,
    role: (procedure._def.meta as ProcedureMeta | undefined)?.role,
  }));
}
