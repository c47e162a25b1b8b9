// Ambit's own xDS resource `ambit.mesh.v1.WaypointPolicy` (not Istio's): an AuthorizationPolicy
// attached with targetRefs, compiled for a waypoint, carried as the shared evaluator reads it.
// See proto/ambit/mesh/v1/waypoint_policy.proto for why. A decoded policy is checked for the shape
// the evaluator relies on, so a malformed one is rejected (NACKed) instead of misjudging requests.
import type protobuf from 'protobufjs';
import type { CompiledPolicyWithTarget, PolicyTargetRef } from '../authz/select';
import type { CompiledPolicy } from '../authz/types';
import type { Any } from './any';
import { workloadApiSchemas } from './schemas';
import { jsonToStruct, type StructMessage, structToJson } from './struct';
import { TypeUrl } from './type-urls';

interface WaypointPolicyMessage {
  name?: string;
  namespace?: string;
  targetRefs?: PolicyTargetRef[];
  policy?: StructMessage;
}

let policyType: protobuf.Type | undefined;

function waypointPolicyType(): protobuf.Type {
  policyType ??= workloadApiSchemas().lookupType('ambit.mesh.v1.WaypointPolicy');
  return policyType;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, defaults: false, oneofs: false };

export function encodeWaypointPolicy(policy: CompiledPolicyWithTarget): Uint8Array {
  const { target } = policy;
  const message: WaypointPolicyMessage = {
    name: target.name,
    namespace: target.namespace,
    targetRefs: (target.targetRefs ?? []).map((ref) => ({ ...ref })),
    policy: jsonToStruct(policy.policy as unknown as Record<string, unknown>),
  };
  const type = waypointPolicyType();
  return type.encode(type.fromObject(message)).finish();
}

/** Throws on bytes that are not a WaypointPolicy or a policy the evaluator could not read. */
export function decodeWaypointPolicy(bytes: Uint8Array): CompiledPolicyWithTarget {
  const type = waypointPolicyType();
  const message = type.toObject(type.decode(bytes), TO_OBJECT) as WaypointPolicyMessage;
  const name = message.name ?? '';
  const namespace = message.namespace ?? '';
  if (!name || !namespace) throw new Error('a WaypointPolicy needs a name and a namespace');
  const targetRefs = (message.targetRefs ?? []).map((ref) => {
    const out: PolicyTargetRef = { kind: ref.kind ?? '', name: ref.name ?? '' };
    if (ref.group !== undefined) out.group = ref.group;
    if (ref.namespace !== undefined) out.namespace = ref.namespace;
    return out;
  });
  if (targetRefs.length === 0) throw new Error(`WaypointPolicy ${namespace}/${name} has no targetRefs: nothing attaches it to a waypoint`);
  const policy = compiledPolicyOf(structToJson(message.policy), `${namespace}/${name}`);
  return { policy, target: { namespace, name, targetRefs } };
}

/** `type.googleapis.com/ambit.mesh.v1.WaypointPolicy` Any. */
export function packWaypointPolicy(policy: CompiledPolicyWithTarget): Any {
  return { typeUrl: TypeUrl.waypointPolicy, value: encodeWaypointPolicy(policy) };
}

/** Resource key of a WaypointPolicy: `namespace/name` of the AuthorizationPolicy. */
export function waypointPolicyResourceName(policy: CompiledPolicyWithTarget): string {
  return `${policy.target.namespace}/${policy.target.name}`;
}

const ACTIONS: ReadonlySet<string> = new Set(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']);
const SCOPES: ReadonlySet<string> = new Set(['GLOBAL', 'NAMESPACE', 'WORKLOAD_SELECTOR']);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The JSON of a CompiledPolicy, checked down to its matches (whose fields the evaluator reads as it finds them). */
function compiledPolicyOf(json: Record<string, unknown>, key: string): CompiledPolicy {
  const fail = (what: string): never => {
    throw new Error(`WaypointPolicy ${key}: ${what}`);
  };
  if (typeof json.name !== 'string' || typeof json.namespace !== 'string') fail('policy.name and policy.namespace must be strings');
  if (typeof json.action !== 'string' || !ACTIONS.has(json.action)) fail(`policy.action ${String(json.action)} is not an action`);
  if (typeof json.scope !== 'string' || !SCOPES.has(json.scope)) fail(`policy.scope ${String(json.scope)} is not a scope`);
  if (json.dryRun !== undefined && typeof json.dryRun !== 'boolean') fail('policy.dryRun must be a boolean');
  const rules = json.rules ?? [];
  if (!Array.isArray(rules)) fail('policy.rules must be a list');
  for (const [r, rule] of (rules as unknown[]).entries()) {
    const clauses: unknown = isObject(rule) ? (rule.clauses ?? []) : undefined;
    if (!Array.isArray(clauses)) fail(`policy.rules[${r}] needs a list of clauses`);
    for (const [c, clause] of (clauses as unknown[]).entries()) {
      const matches = isObject(clause) ? clause.matches : undefined;
      if (!Array.isArray(matches) || !matches.every(isObject)) fail(`policy.rules[${r}].clauses[${c}] needs a list of matches`);
    }
  }
  return { ...json, dryRun: json.dryRun === true, rules } as unknown as CompiledPolicy;
}
