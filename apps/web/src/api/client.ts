import type { AppRouter } from '@ambit/bff/server/router';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';

/** Same origin: Next.js rewrites /api/trpc to the BFF, so the session cookie is first-party. */
const API_URL = '/api/trpc';
const CSRF_HEADER = 'x-ambit-csrf';

let csrfToken: string | undefined;

/** The session's synchronizer token, from auth.login or auth.me; sent on every mutation. */
export function rememberCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const links: TRPCLink<AppRouter>[] = [
  splitLink({
    condition: (op) => op.type === 'subscription',
    true: httpSubscriptionLink({ url: API_URL }),
    false: httpBatchLink({
      url: API_URL,
      headers: ({ opList }) => (csrfToken && opList.some((op) => op.type === 'mutation') ? { [CSRF_HEADER]: csrfToken } : {}),
    }),
  }),
];

/** The typed BFF client: only the router's type crosses into the console. */
export const api = createTRPCClient<AppRouter>({ links });
