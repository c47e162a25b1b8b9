/** What analysis reports: one message per problem, naming the resource and the field that causes it. */

export type AnalysisLevel = 'Error' | 'Warning' | 'Info';

/** The resource a message is about; `namespace` is absent for cluster-scoped kinds (Namespace, Node). */
export interface ResourceRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface AnalysisMessage {
  /** Istio's code where the meaning is the same (`IST0101`), else Ambit's own (`AMB0001`). */
  code: string;
  level: AnalysisLevel;
  resource: ResourceRef;
  /** Field path in the resource, like `spec.rules[0].to[0].operation.methods`; empty for the resource as a whole. */
  path: string;
  message: string;
  /** Where the code is explained. */
  documentation?: string;
}

export interface AnalyzeOptions {
  /** Istio's root namespace: its policies apply mesh-wide. */
  rootNamespace: string;
  /** Report only on resources in these namespaces (a Namespace counts as in itself); default: all. */
  namespaces?: readonly string[];
}
