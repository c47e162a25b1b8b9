import type { AuthorizationPolicy } from '@ambit/shared';
import { policyTargetOf } from '@ambit/shared/authz';
import { CODES } from '../codes';
import { compileNoteMessages } from '../compile-notes';
import type { Analyzer } from '../context';

/**
 * HTTP (L7) attributes in policies that ztunnel enforces (no targetRefs). What ztunnel does
 * instead is the shared compiler's to say, not this analyzer's: an ALLOW rule is dropped (and a
 * policy whose rules are all dropped allows nothing); a DENY rule is enforced without them.
 */
export const ztunnelL7Analyzer: Analyzer = (ctx) =>
  ctx
    .ofKind<AuthorizationPolicy>('AuthorizationPolicy')
    .filter((policy) => !policyTargetOf(policy).targetRefs)
    .flatMap((policy) =>
      compileNoteMessages(policy, ctx.authorization(policy).notes, {
        AllowRuleDropped: CODES.AllowRuleDroppedAtZtunnel,
        AllowPolicyMatchesNothing: CODES.AllowPolicyMatchesNothing,
        DenyRuleWidened: CODES.DenyRuleWidenedAtZtunnel,
      }),
    );
