import type { RouterInputs, RouterOutputs } from '@ambit/bff/server/router';

export type { RouterInputs, RouterOutputs };
export type MeshOverview = RouterOutputs['mesh']['overview'];
export type ProxySummary = RouterOutputs['proxies']['list'][number];
export type StoredObject = RouterOutputs['resources']['get'];
export type Me = RouterOutputs['auth']['me'];
