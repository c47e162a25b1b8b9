import type { AnalysisMessage, ResourceRef } from './types';

/** What `ambit analyze` prints: istioctl's line format, or a stable JSON report. */

function describeResource(resource: ResourceRef): string {
  return resource.namespace === undefined ? `${resource.kind} ${resource.name}` : `${resource.kind} ${resource.namespace}/${resource.name}`;
}

/** `Error [IST0101] (HTTPRoute demo/reviews) spec.rules[0].backendRefs[1]: Referenced Service demo/reviews-v4 not found`. */
export function formatMessage(message: AnalysisMessage): string {
  const path = message.path ? `${message.path}: ` : '';
  return `${message.level} [${message.code}] (${describeResource(message.resource)}) ${path}${message.message}`;
}

/** One line per message, in the order given, joined with newlines (no trailing newline). */
export function formatMessages(messages: readonly AnalysisMessage[]): string {
  return messages.map(formatMessage).join('\n');
}

/** 1 when any message is an Error, else 0: warnings and information never fail a pipeline. */
export function exitCodeFor(messages: readonly AnalysisMessage[]): 0 | 1 {
  return messages.some((m) => m.level === 'Error') ? 1 : 0;
}

/** `ambit analyze -o json`. Fields are only ever added; `schemaVersion` changes if one changes meaning. */
export interface AnalysisReport {
  schemaVersion: 1;
  messages: AnalysisMessage[];
  summary: { errors: number; warnings: number; info: number };
  exitCode: 0 | 1;
}

export function analysisReport(messages: readonly AnalysisMessage[]): AnalysisReport {
  const count = (level: AnalysisMessage['level']) => messages.filter((m) => m.level === level).length;
  return {
    schemaVersion: 1,
    messages: [...messages],
    summary: { errors: count('Error'), warnings: count('Warning'), info: count('Info') },
    exitCode: exitCodeFor(messages),
  };
}
