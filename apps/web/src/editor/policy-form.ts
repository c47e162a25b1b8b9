/**
 * The editor's form mode: the common cases of AuthorizationPolicy (allow or deny from namespaces, service
 * accounts, principals to ports, methods, paths) and PeerAuthentication (require mTLS) as fields, read from
 * and written back into the same object. Writing starts from the object as it was, so fields the form does
 * not show are kept; `hiddenFields` names them so the form can say so.
 */

export const FORM_KINDS = ['AuthorizationPolicy', 'PeerAuthentication'] as const;
export type FormKind = (typeof FORM_KINDS)[number];

export interface PolicyForm {
  kind: FormKind;
  name: string;
  namespace: string;
  /** workloads: by labels, enforced by ztunnel; service / waypoint: attached with targetRefs, enforced by the waypoint. */
  attachTo: 'workloads' | 'service' | 'waypoint';
  /** `app=ratings, version=v1`: the workloads it selects; empty: the whole namespace. */
  workloadLabels: string;
  /** The Service or waypoint (Gateway) it is attached to. */
  targetName: string;
  action: 'ALLOW' | 'DENY';
  fromNamespaces: string;
  fromServiceAccounts: string;
  fromPrincipals: string;
  toPorts: string;
  toMethods: string;
  toPaths: string;
  mtlsMode: 'STRICT' | 'PERMISSIVE' | 'UNSET' | 'DISABLE';
}

type Json = Record<string, unknown>;

const SOURCE_FIELDS = { fromNamespaces: 'namespaces', fromServiceAccounts: 'serviceAccounts', fromPrincipals: 'principals' } as const;
const OPERATION_FIELDS = { toPorts: 'ports', toMethods: 'methods', toPaths: 'paths' } as const;

export function isFormKind(kind: unknown): kind is FormKind {
  return (FORM_KINDS as readonly unknown[]).includes(kind);
}

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** `a, b` → ['a', 'b']. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function labelsText(labels: unknown): string {
  return Object.entries(record(labels))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of splitList(text)) {
    const at = pair.indexOf('=');
    if (at > 0) out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

export function emptyForm(kind: FormKind, namespace = 'default'): PolicyForm {
  return {
    kind,
    name: '',
    namespace,
    attachTo: 'workloads',
    workloadLabels: '',
    targetName: '',
    action: 'ALLOW',
    fromNamespaces: '',
    fromServiceAccounts: '',
    fromPrincipals: '',
    toPorts: '',
    toMethods: '',
    toPaths: '',
    mtlsMode: 'STRICT',
  };
}

/** A new object of the form's kind: the starting point of "New policy". */
export function newPolicyObject(kind: FormKind, namespace: string): Json {
  return objectFromForm({ ...emptyForm(kind, namespace), name: kind === 'PeerAuthentication' ? 'require-mtls' : 'new-policy' }, {});
}

export function formFromObject(object: Json): PolicyForm {
  const kind = isFormKind(object.kind) ? object.kind : 'AuthorizationPolicy';
  const metadata = record(object.metadata);
  const spec = record(object.spec);
  const form = emptyForm(kind, typeof metadata.namespace === 'string' ? metadata.namespace : 'default');
  form.name = typeof metadata.name === 'string' ? metadata.name : '';
  form.workloadLabels = labelsText(record(spec.selector).matchLabels);
  const target = record(Array.isArray(spec.targetRefs) ? (spec.targetRefs as unknown[])[0] : undefined);
  if (kind === 'AuthorizationPolicy' && typeof target.name === 'string') {
    form.attachTo = target.kind === 'Gateway' ? 'waypoint' : 'service';
    form.targetName = target.name;
  }
  if (kind === 'PeerAuthentication') {
    const mode = record(spec.mtls).mode;
    form.mtlsMode = mode === 'PERMISSIVE' || mode === 'UNSET' || mode === 'DISABLE' ? mode : 'STRICT';
    return form;
  }
  form.action = spec.action === 'DENY' ? 'DENY' : 'ALLOW';
  const rule = record(list(spec.rules).length ? (spec.rules as unknown[])[0] : undefined);
  const source = record(record((rule.from as unknown[] | undefined)?.[0]).source);
  const operation = record(record((rule.to as unknown[] | undefined)?.[0]).operation);
  for (const [field, key] of Object.entries(SOURCE_FIELDS)) form[field as keyof typeof SOURCE_FIELDS] = list(source[key]).join(', ');
  for (const [field, key] of Object.entries(OPERATION_FIELDS))
    form[field as keyof typeof OPERATION_FIELDS] = list(operation[key]).join(', ');
  return form;
}

/** Sets `key` to the list, or removes it when the list is empty. */
function setList(target: Json, key: string, values: string[]): void {
  if (values.length > 0) target[key] = values;
  else delete target[key];
}

/** `original` with the form's fields written in; everything else in it is kept as it was. */
export function objectFromForm(form: PolicyForm, original: Json): Json {
  const object = structuredClone(original);
  object.apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : 'security.istio.io/v1';
  object.kind = form.kind;
  const metadata = record(object.metadata);
  object.metadata = { ...metadata, name: form.name, namespace: form.namespace };
  const spec = record(object.spec);
  object.spec = spec;
  const labels = parseLabels(form.workloadLabels);
  const byLabels = form.kind === 'PeerAuthentication' || form.attachTo === 'workloads';
  if (byLabels && Object.keys(labels).length > 0) spec.selector = { ...record(spec.selector), matchLabels: labels };
  else delete spec.selector;
  if (byLabels) delete spec.targetRefs;
  else {
    const refs = Array.isArray(spec.targetRefs) ? [...(spec.targetRefs as unknown[])] : [];
    refs[0] =
      form.attachTo === 'waypoint'
        ? { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: form.targetName }
        : { group: '', kind: 'Service', name: form.targetName };
    spec.targetRefs = refs;
  }
  if (form.kind === 'PeerAuthentication') {
    spec.mtls = { ...record(spec.mtls), mode: form.mtlsMode };
    return object;
  }
  spec.action = form.action;
  const rules = Array.isArray(spec.rules) ? [...(spec.rules as unknown[])] : [];
  const rule = record(rules[0]);
  const from = Array.isArray(rule.from) ? [...(rule.from as unknown[])] : [];
  const source = { ...record(record(from[0]).source) };
  for (const [field, key] of Object.entries(SOURCE_FIELDS)) setList(source, key, splitList(form[field as keyof typeof SOURCE_FIELDS]));
  if (Object.keys(source).length > 0) from[0] = { ...record(from[0]), source };
  else from.splice(0, 1);
  const to = Array.isArray(rule.to) ? [...(rule.to as unknown[])] : [];
  const operation = { ...record(record(to[0]).operation) };
  for (const [field, key] of Object.entries(OPERATION_FIELDS))
    setList(operation, key, splitList(form[field as keyof typeof OPERATION_FIELDS]));
  if (Object.keys(operation).length > 0) to[0] = { ...record(to[0]), operation };
  else to.splice(0, 1);
  const nextRule: Json = { ...rule };
  if (from.length > 0) nextRule.from = from;
  else delete nextRule.from;
  if (to.length > 0) nextRule.to = to;
  else delete nextRule.to;
  rules[0] = nextRule;
  spec.rules = rules;
  return object;
}

const SHOWN_SOURCE = new Set(Object.values(SOURCE_FIELDS));
const SHOWN_OPERATION = new Set(Object.values(OPERATION_FIELDS));
const SHOWN_METADATA = new Set(['name', 'namespace', 'resourceVersion']);

/** Field paths in the object that the form does not show (and keeps as they are). */
export function hiddenFields(object: Json): string[] {
  const hidden: string[] = [];
  const metadata = record(object.metadata);
  for (const key of Object.keys(metadata)) if (!SHOWN_METADATA.has(key)) hidden.push(`metadata.${key}`);
  const spec = record(object.spec);
  const selector = record(spec.selector);
  for (const key of Object.keys(selector)) if (key !== 'matchLabels') hidden.push(`spec.selector.${key}`);
  if (object.kind === 'PeerAuthentication') {
    for (const key of Object.keys(spec)) if (key !== 'selector' && key !== 'mtls') hidden.push(`spec.${key}`);
    return hidden;
  }
  for (const key of Object.keys(spec)) if (!['selector', 'action', 'rules', 'targetRefs'].includes(key)) hidden.push(`spec.${key}`);
  const refs = Array.isArray(spec.targetRefs) ? (spec.targetRefs as unknown[]) : [];
  if (refs.length > 1) hidden.push(`spec.targetRefs[1..${refs.length - 1}]`);
  if (spec.action !== undefined && spec.action !== 'ALLOW' && spec.action !== 'DENY') hidden.push('spec.action');
  const rules = Array.isArray(spec.rules) ? (spec.rules as unknown[]) : [];
  if (rules.length > 1) hidden.push(`spec.rules[1..${rules.length - 1}]`);
  const rule = record(rules[0]);
  for (const key of Object.keys(rule)) if (key !== 'from' && key !== 'to') hidden.push(`spec.rules[0].${key}`);
  const from = Array.isArray(rule.from) ? (rule.from as unknown[]) : [];
  const to = Array.isArray(rule.to) ? (rule.to as unknown[]) : [];
  if (from.length > 1) hidden.push('spec.rules[0].from[1..]');
  if (to.length > 1) hidden.push('spec.rules[0].to[1..]');
  for (const key of Object.keys(record(record(from[0]).source)))
    if (!SHOWN_SOURCE.has(key as never)) hidden.push(`spec.rules[0].from[0].source.${key}`);
  for (const key of Object.keys(record(record(to[0]).operation)))
    if (!SHOWN_OPERATION.has(key as never)) hidden.push(`spec.rules[0].to[0].operation.${key}`);
  return hidden;
}
