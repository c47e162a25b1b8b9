import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { analysisRouter } from './routers/analysis';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { changesRouter } from './routers/changes';
import { meshRouter } from './routers/mesh';
import { proxiesRouter } from './routers/proxies';
import { resourcesRouter } from './routers/resources';
import { tokensRouter } from './routers/tokens';
import { mtlsAuditProcedures, topologyRouter } from './routers/topology';
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
  // The mTLS audit sits beside the audit log under audit.*; its procedures live with the topology they read.
  audit: router({ ...auditRouter._def.record, ...mtlsAuditProcedures }),
  topology: topologyRouter,
  changes: changesRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
