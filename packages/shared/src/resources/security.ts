import { z } from 'zod';
import { anyStatus, objectSchema, policyTargetReference, workloadSelector } from './meta';

/**
 * Istio security kinds (security.istio.io v1 and v1beta1, the same schema). Unknown fields are
 * errors, not silently dropped: a typo such as `rule:` for `rules:` would otherwise turn a policy
 * into allow-nothing or allow-all.
 */

const strings = z.array(z.string());

export const sourceSchema = z.strictObject({
  principals: strings.optional(),
  notPrincipals: strings.optional(),
  requestPrincipals: strings.optional(),
  notRequestPrincipals: strings.optional(),
  namespaces: strings.optional(),
  notNamespaces: strings.optional(),
  serviceAccounts: strings.optional(),
  notServiceAccounts: strings.optional(),
  ipBlocks: strings.optional(),
  notIpBlocks: strings.optional(),
  remoteIpBlocks: strings.optional(),
  notRemoteIpBlocks: strings.optional(),
});

export const operationSchema = z.strictObject({
  hosts: strings.optional(),
  notHosts: strings.optional(),
  // Istio types ports as strings ("8080"), as in its CRD.
  ports: strings.optional(),
  notPorts: strings.optional(),
  methods: strings.optional(),
  notMethods: strings.optional(),
  paths: strings.optional(),
  notPaths: strings.optional(),
});

export const conditionSchema = z.strictObject({
  key: z.string().min(1),
  values: strings.optional(),
  notValues: strings.optional(),
});

export const ruleSchema = z.strictObject({
  from: z.array(z.strictObject({ source: sourceSchema })).optional(),
  to: z.array(z.strictObject({ operation: operationSchema })).optional(),
  when: z.array(conditionSchema).optional(),
});

export const authorizationActions = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const;

export const authorizationPolicySpecSchema = z.strictObject({
  selector: workloadSelector.optional(),
  targetRef: policyTargetReference.optional(),
  targetRefs: z.array(policyTargetReference).optional(),
  rules: z.array(ruleSchema).optional(),
  action: z.enum(authorizationActions).optional(),
  provider: z.strictObject({ name: z.string() }).optional(),
});

export const authorizationPolicySchema = objectSchema('AuthorizationPolicy', authorizationPolicySpecSchema, anyStatus);

export const mtlsModes = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
const mutualTls = z.strictObject({ mode: z.enum(mtlsModes).optional() });

export const peerAuthenticationSpecSchema = z.strictObject({
  selector: workloadSelector.optional(),
  mtls: mutualTls.optional(),
  portLevelMtls: z.record(z.string().regex(/^[1-9][0-9]{0,4}$/, 'port keys must be port numbers'), mutualTls).optional(),
});

export const peerAuthenticationSchema = objectSchema('PeerAuthentication', peerAuthenticationSpecSchema, anyStatus);

export type AuthorizationPolicy = z.infer<typeof authorizationPolicySchema>;
export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicySpecSchema>;
export type AuthorizationRule = z.infer<typeof ruleSchema>;
export type AuthorizationSource = z.infer<typeof sourceSchema>;
export type AuthorizationOperation = z.infer<typeof operationSchema>;
export type AuthorizationCondition = z.infer<typeof conditionSchema>;
export type AuthorizationAction = (typeof authorizationActions)[number];
export type PeerAuthentication = z.infer<typeof peerAuthenticationSchema>;
export type MtlsMode = (typeof mtlsModes)[number];
