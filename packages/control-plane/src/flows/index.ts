/**
 * Observed traffic: the flow records proxies keep, collected into a bounded window; the impact of
 * a draft policy on them; and least-privilege policies drafted from them.
 */
export {
  DEFAULT_FLOW_WINDOW_MS,
  DEFAULT_MAX_FLOWS,
  FLOWS_PATH,
  FlowCollector,
  type FlowCollectorOptions,
  type FlowTarget,
  PROXY_ADMIN_PORT,
  proxyFlowTargets,
} from './collector';
export { generateLeastPrivilegePolicies } from './generate';
export { impactOfDraft, snapshotWithDraft } from './impact';
export type * from './types';
export { type FlowPage, parseFlowPage, type UnnumberedFlowPage } from './wire';
