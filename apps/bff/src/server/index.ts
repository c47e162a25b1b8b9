/**
 * The backend-for-frontend: `startBff()` serves the tRPC API (`AppRouter`) with local users,
 * sessions, API tokens and the audit log. See docs in bff.ts and trpc.ts.
 */
export { API_PATH, type Bff, type BffOptions, DEFAULT_BFF_PORT, READY_PATH, startBff } from './bff';
export type { BffControlPlane } from './context';
export type { AppRouter, RouterInputs, RouterOutputs } from './router';
