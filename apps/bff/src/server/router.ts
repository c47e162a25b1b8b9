import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { analysisRouter } from './routers/analysis';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { changesRouter } from './routers/changes';
import { historyRouter } from './routers/history';
import { meshRouter } from './routers/mesh';
import { policiesRouter } from './routers/policies';
import { proxiesRouter } from './routers/proxies';
import { resourcesRouter } from './routers/resources';
import { rolloutsRouter } from './routers/rollouts';
import { telemetryRouter } from './routers/telemetry';
import { tokensRouter } from './routers/tokens';
import { topologyRouter } from './routers/topology';
import { trafficRouter } from './routers/traffic';
import { usersRouter } from './routers/users';
import { router } from './trpc';

/**
 * The BFF's API, served at /api/trpc. The console imports only the types below
 * (`import type { AppRouter } from '@ambit/bff/server/router'`), never this module's code.
 */
export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  tokens: tokensRouter,
  resources: resourcesRouter,
  analysis: analysisRouter,
  mesh: meshRouter,
  proxies: proxiesRouter,
  audit: auditRouter,
  topology: topologyRouter,
  changes: changesRouter,
  rollouts: rolloutsRouter,
  traffic: trafficRouter,
  policies: policiesRouter,
  telemetry: telemetryRouter,
  history: historyRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
