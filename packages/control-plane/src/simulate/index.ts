/**
 * The simulator: what the mesh would do with one request, hop by hop, from a registry snapshot,
 * using the shared evaluator and route matcher the proxies run.
 */

export { waypointPoliciesOf, ztunnelPoliciesOf } from './enforcement';
export { findService, findWorkload, findWorkloads, normalizePrincipal } from './path';
export { type PolicyEnforcement, type PolicyScope, type PolicySummary, summarizePolicies } from './policy-summaries';
export { chooseRoute, type RoutedRequest } from './route-choice';
export { simulate } from './simulate';
export type * from './types';
