import type { KubeObject } from '@ambit/shared';
import { CODES } from '../codes';
import type { Analyzer } from '../context';
import { messageFor } from '../message';
import type { AnalysisMessage } from '../types';

/**
 * IST0171: status conditions that controllers set to say something is wrong, for the kinds and
 * condition types Istio's analyzer examines.
 */

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** Condition types whose `False` is a problem, per kind. */
const NEGATIVE_WHEN_FALSE: Readonly<Record<string, ReadonlySet<string>>> = {
  Service: new Set(['istio.io/WaypointBound']),
  AuthorizationPolicy: new Set(['ZtunnelAccepted', 'WaypointAccepted']),
  Gateway: new Set(['Accepted', 'Programmed', 'ResolvedRefs']),
  HTTPRoute: new Set(['Accepted', 'Programmed', 'ResolvedRefs']),
};

function isNegative(kind: string, c: Condition): boolean {
  if (c.type === undefined) return false;
  if (c.status === 'False') return NEGATIVE_WHEN_FALSE[kind]?.has(c.type) ?? false;
  // A waypoint that accepted the policy only in part (some rules dropped) says so with this reason.
  return kind === 'AuthorizationPolicy' && c.type === 'WaypointAccepted' && c.status === 'True' && c.reason === 'PartiallyInvalid';
}

/** Where conditions sit in a status: its own list, per Gateway listener, per HTTPRoute parent. */
function conditionLists(object: KubeObject): { path: string; conditions: unknown }[] {
  const status = (object.status ?? {}) as { conditions?: unknown; listeners?: unknown; parents?: unknown };
  const lists = [{ path: 'status.conditions', conditions: status.conditions }];
  for (const [field, entries] of [
    ['listeners', status.listeners],
    ['parents', status.parents],
  ] as const) {
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: { conditions?: unknown } | null, i) => {
      lists.push({ path: `status.${field}[${i}].conditions`, conditions: entry?.conditions });
    });
  }
  return lists;
}

export const negativeConditionsAnalyzer: Analyzer = (ctx) => {
  const out: AnalysisMessage[] = [];
  for (const object of ctx.objects) {
    if (!NEGATIVE_WHEN_FALSE[object.kind]) continue;
    for (const { path, conditions } of conditionLists(object)) {
      if (!Array.isArray(conditions)) continue;
      conditions.forEach((c: Condition | null, i) => {
        if (!c || !isNegative(object.kind, c)) return;
        const detail = [`type=${c.type}`, ...(c.reason ? [`reason=${c.reason}`] : []), ...(c.message ? [`message=${c.message}`] : [])];
        out.push(
          messageFor(
            CODES.NegativeConditionStatus,
            object,
            `${path}[${i}]`,
            `A condition with a negative status is present: ${detail.join(', ')}`,
          ),
        );
      });
    }
  }
  return out;
};
