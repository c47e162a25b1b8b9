'use client';

import type { PolicyForm } from './policy-form';

interface PolicyFormFieldsProps {
  form: PolicyForm;
  onChange: (form: PolicyForm) => void;
}

function TextField({ label, value, hint, onChange }: { label: string; value: string; hint?: string; onChange: (value: string) => void }) {
  return (
    <label>
      {label}
      <input aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} />
      {hint ? <span className="muted hint">{hint}</span> : null}
    </label>
  );
}

/** The form mode's fields; lists are comma-separated. */
export function PolicyFormFields({ form, onChange }: PolicyFormFieldsProps) {
  const set = (patch: Partial<PolicyForm>) => onChange({ ...form, ...patch });
  const noConditions =
    !form.fromNamespaces && !form.fromServiceAccounts && !form.fromPrincipals && !form.toPorts && !form.toMethods && !form.toPaths;
  return (
    <div className="policy-form" data-testid="policy-form">
      <fieldset>
        <legend>{form.kind}</legend>
        <TextField label="Name" value={form.name} onChange={(name) => set({ name })} />
        <TextField label="Namespace" value={form.namespace} onChange={(namespace) => set({ namespace })} />
        {form.kind === 'AuthorizationPolicy' ? (
          <label>
            Applies to
            <select
              aria-label="Applies to"
              value={form.attachTo}
              onChange={(e) => set({ attachTo: e.target.value as PolicyForm['attachTo'] })}
            >
              <option value="workloads">workloads, by labels (enforced by ztunnel)</option>
              <option value="service">a Service, at its waypoint (targetRefs)</option>
              <option value="waypoint">a waypoint, all its traffic (targetRefs)</option>
            </select>
          </label>
        ) : null}
        {form.kind === 'AuthorizationPolicy' && form.attachTo !== 'workloads' ? (
          <TextField
            label={form.attachTo === 'service' ? 'Service name' : 'Waypoint (Gateway) name'}
            value={form.targetName}
            onChange={(targetName) => set({ targetName })}
          />
        ) : (
          <TextField
            label="Workloads (labels)"
            value={form.workloadLabels}
            hint="app=ratings, version=v1 — empty: every workload in the namespace"
            onChange={(workloadLabels) => set({ workloadLabels })}
          />
        )}
        {form.kind === 'PeerAuthentication' ? (
          <label>
            mTLS mode
            <select
              aria-label="mTLS mode"
              value={form.mtlsMode}
              onChange={(e) => set({ mtlsMode: e.target.value as PolicyForm['mtlsMode'] })}
            >
              <option value="STRICT">STRICT (require mTLS)</option>
              <option value="PERMISSIVE">PERMISSIVE</option>
              <option value="UNSET">UNSET (inherit)</option>
              <option value="DISABLE">DISABLE</option>
            </select>
          </label>
        ) : (
          <label>
            Action
            <select aria-label="Action" value={form.action} onChange={(e) => set({ action: e.target.value as PolicyForm['action'] })}>
              <option value="ALLOW">ALLOW</option>
              <option value="DENY">DENY</option>
            </select>
          </label>
        )}
      </fieldset>
      {form.kind === 'AuthorizationPolicy' ? (
        <>
          <fieldset>
            <legend>From (any of the listed; empty: anyone)</legend>
            <TextField label="Source namespaces" value={form.fromNamespaces} onChange={(fromNamespaces) => set({ fromNamespaces })} />
            <TextField
              label="Source service accounts"
              value={form.fromServiceAccounts}
              hint="names in the policy's namespace, or ns/name"
              onChange={(fromServiceAccounts) => set({ fromServiceAccounts })}
            />
            <TextField
              label="Source principals"
              value={form.fromPrincipals}
              hint="cluster.local/ns/demo/sa/reviews"
              onChange={(fromPrincipals) => set({ fromPrincipals })}
            />
          </fieldset>
          <fieldset>
            <legend>To (empty: any)</legend>
            <TextField label="Ports" value={form.toPorts} onChange={(toPorts) => set({ toPorts })} />
            <TextField
              label="Methods"
              value={form.toMethods}
              hint="HTTP: enforced by a waypoint"
              onChange={(toMethods) => set({ toMethods })}
            />
            <TextField label="Paths" value={form.toPaths} hint="/api/*" onChange={(toPaths) => set({ toPaths })} />
          </fieldset>
          {noConditions ? (
            <p className="notice">
              No conditions: the rule matches every request to the selected workloads ({form.action === 'DENY' ? 'deny all' : 'allow all'}).
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
