import type { AuthorizationPolicy } from '@ambit/shared';
import { CODES } from '../codes';
import { compileNoteMessages } from '../compile-notes';
import type { Analyzer } from '../context';

/**
 * What the shared compiler refuses or ignores in an AuthorizationPolicy, wherever it is enforced:
 * values Istio's validation rejects (IST0106, selector with targetRefs among them), `when` keys
 * Ambit lacks, actions and providers it cannot honour, a malformed dry-run annotation.
 */
export const authorizationValidityAnalyzer: Analyzer = (ctx) =>
  ctx.ofKind<AuthorizationPolicy>('AuthorizationPolicy').flatMap((policy) =>
    compileNoteMessages(policy, ctx.authorization(policy).notes, {
      InvalidValue: CODES.SchemaValidationError,
      ConflictingFields: CODES.SchemaValidationError,
      ProviderIgnored: CODES.SchemaValidationError,
      UnsupportedConditionKey: CODES.UnsupportedConditionKey,
      ActionNotSupported: CODES.ActionNotEnforced,
      CustomProviderUnavailable: CODES.CustomProviderUnavailable,
      InvalidDryRunAnnotation: CODES.InvalidDryRunAnnotation,
    }),
  );
