'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type ReactNode, useId, useState } from 'react';
import { api } from '../api/client';
import { errorCode, errorMessage } from '../api/errors';
import { YamlEditor } from '../editor/yaml-editor';
import { type CanaryForm, type CanaryPlan, checkCanaryForm, DEFAULT_FORM, type FormErrors, wizardInput } from './canary-form';
import { deploymentWithChange } from './deployment-change';
import type { RolloutPreview } from './rollout-types';
import styles from './rollouts.module.css';

interface Named {
  metadata: { name: string };
  spec?: unknown;
}

/** How long the wizard waits for the controller to initialize the new Canary before it changes the target. */
const INITIALIZE_TIMEOUT_MS = 120_000;
const POLL_MS = 1_000;
const CONFLICT_RETRIES = 5;
/** Phases after which the target may change: the primary exists and holds the current version. */
const READY = new Set(['Initialized', 'Succeeded', 'Failed', 'Progressing', 'Waiting']);

function firstPort(service: Named | undefined): number | undefined {
  const ports = (service?.spec as { ports?: { port?: unknown }[] } | undefined)?.ports;
  const port = ports?.[0]?.port;
  return typeof port === 'number' ? port : undefined;
}

function firstImage(deployment: Named | undefined): string {
  const containers = (deployment?.spec as { template?: { spec?: { containers?: { image?: unknown }[] } } } | undefined)?.template?.spec
    ?.containers;
  const image = containers?.[0]?.image;
  return typeof image === 'string' ? image : '';
}

function useNames(kind: string, namespace: string | undefined) {
  return useQuery({
    queryKey: ['resources.list', kind, namespace ?? ''],
    queryFn: async () => ((await api.resources.list.query({ kind, ...(namespace ? { namespace } : {}) })).items as Named[]) ?? [],
    enabled: namespace !== '',
  });
}

interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/** A labelled control with its hint and error, tied to it for screen readers. */
function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(described ? { 'aria-describedby': described } : {}), ...(error ? { 'aria-invalid': true as const } : {}) })}
      {hint ? (
        <span className={styles.hint} id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className={styles.fieldError} id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

async function waitForInitialized(namespace: string, name: string): Promise<void> {
  const deadline = Date.now() + INITIALIZE_TIMEOUT_MS;
  let phase: string | null = null;
  while (Date.now() < deadline) {
    try {
      phase = (await api.rollouts.get.query({ namespace, name })).phase;
      if (phase !== null && READY.has(phase)) return;
    } catch {
      // Not seen by the controller yet.
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(
    `the controller did not initialize canary ${namespace}/${name} within ${INITIALIZE_TIMEOUT_MS / 1000} s (phase ${phase ?? 'none'})`,
  );
}

/**
 * Gives the target Deployment the new image or env. The write carries the resourceVersion just read; the
 * Deployment's status moves while its pods scale (a conflict), so a conflict is retried on a fresh read.
 */
async function changeTarget(plan: CanaryPlan): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const deployment = await api.resources.get.query({ kind: 'Deployment', namespace: plan.namespace, name: plan.target });
    const changed = deploymentWithChange(deployment as Parameters<typeof deploymentWithChange>[0], { image: plan.image, env: plan.env });
    try {
      await api.resources.applyManifests.mutate({ yaml: JSON.stringify(changed), namespace: plan.namespace });
      return;
    } catch (error) {
      if (errorCode(error) !== 'CONFLICT' || attempt >= CONFLICT_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/**
 * Creates a Canary for a service in three moves the user sees: the YAML (from rollouts.createPreview) is applied,
 * the controller initializes the primary, then the target Deployment gets the new image or env, which starts the run.
 */
export function CanaryWizard() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<CanaryForm>(DEFAULT_FORM);
  const [errors, setErrors] = useState<FormErrors>({});
  const [stage, setStage] = useState('');
  const namespaces = useNames('Namespace', undefined);
  const deployments = useNames('Deployment', form.namespace);
  const services = useNames('Service', form.namespace);
  const update = (change: Partial<CanaryForm>) => setForm((f) => ({ ...f, ...change }));

  const preview = useMutation({
    mutationFn: (plan: CanaryPlan) => api.rollouts.createPreview.query(wizardInput(plan)),
  });
  const previewed: RolloutPreview | undefined = preview.data;
  // What is applied is what was previewed; an edit since then asks for a new preview first.
  const plan = preview.variables;
  const stale = plan !== undefined && JSON.stringify(checkCanaryForm(form).plan) !== JSON.stringify(plan);

  const start = useMutation({
    mutationFn: async ({ plan, yaml }: { plan: CanaryPlan; yaml: string }) => {
      setStage('Applying the Canary…');
      const applied = await api.resources.applyManifests.mutate({ yaml, namespace: plan.namespace });
      const canary = applied.results.find((r) => r.kind === 'Canary');
      const name = canary?.name ?? plan.target;
      setStage('Waiting for the controller to initialize the primary…');
      await waitForInitialized(plan.namespace, name);
      setStage(`Changing Deployment ${plan.target}, which starts the run…`);
      await changeTarget(plan);
      return { namespace: plan.namespace, name };
    },
    onSuccess: ({ namespace, name }) => {
      void queryClient.invalidateQueries({ queryKey: ['rollouts.list'] });
      router.push(`/rollouts/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`);
    },
    onSettled: () => setStage(''),
  });

  const deploymentNames = deployments.data?.map((d) => d.metadata.name) ?? [];
  const currentImage = firstImage(deployments.data?.find((d) => d.metadata.name === form.target));
  const serviceList = services.data ?? [];

  return (
    <form
      className={styles.wizard}
      aria-label="New canary"
      onSubmit={(e) => {
        e.preventDefault();
        const checked = checkCanaryForm(form);
        setErrors(checked.errors);
        if (checked.plan) preview.mutate(checked.plan);
      }}
    >
      <fieldset>
        <legend>1. What to roll out</legend>
        <div className={styles.fields}>
          <Field label="Namespace" error={errors.namespace}>
            {(control) => (
              <select {...control} value={form.namespace} onChange={(e) => update({ namespace: e.target.value, target: '', service: '' })}>
                <option value="">Choose…</option>
                {(namespaces.data ?? []).map((n) => (
                  <option key={n.metadata.name} value={n.metadata.name}>
                    {n.metadata.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Deployment (target)" error={errors.target} hint="Its next version becomes the canary.">
            {(control) => (
              <select {...control} value={form.target} onChange={(e) => update({ target: e.target.value })} disabled={!form.namespace}>
                <option value="">Choose…</option>
                {deploymentNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Service" error={errors.service} hint="Whose traffic moves between primary and canary.">
            {(control) => (
              <select
                {...control}
                value={form.service}
                onChange={(e) => {
                  const service = e.target.value;
                  const port = firstPort(serviceList.find((s) => s.metadata.name === service));
                  update({ service, ...(port ? { port: String(port) } : {}) });
                }}
                disabled={!form.namespace}
              >
                <option value="">Choose…</option>
                {serviceList.map((s) => (
                  <option key={s.metadata.name} value={s.metadata.name}>
                    {s.metadata.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Port" error={errors.port}>
            {(control) => <input {...control} inputMode="numeric" value={form.port} onChange={(e) => update({ port: e.target.value })} />}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>2. The new version</legend>
        <Field
          label="Image"
          error={errors.image}
          hint={currentImage ? `Now ${currentImage}; replaces the first container's image.` : "Replaces the first container's image."}
        >
          {(control) => <input {...control} value={form.image} onChange={(e) => update({ image: e.target.value })} spellCheck={false} />}
        </Field>
        <Field label="Environment changes" error={errors.env} hint="One NAME=value a line; empty for none.">
          {(control) => (
            <textarea {...control} rows={3} value={form.env} onChange={(e) => update({ env: e.target.value })} spellCheck={false} />
          )}
        </Field>
      </fieldset>

      <fieldset>
        <legend>3. Steps and analysis</legend>
        <div className={styles.fields}>
          <Field label="Canary weights" error={errors.steps} hint="Percent per step, e.g. 10, 20, 50.">
            {(control) => <input {...control} value={form.steps} onChange={(e) => update({ steps: e.target.value })} />}
          </Field>
          <Field label="Analysis interval" error={errors.interval} hint="Go duration: 30s, 1m.">
            {(control) => <input {...control} value={form.interval} onChange={(e) => update({ interval: e.target.value })} />}
          </Field>
          <Field label="Failed checks before rollback" error={errors.threshold}>
            {(control) => (
              <input {...control} inputMode="numeric" value={form.threshold} onChange={(e) => update({ threshold: e.target.value })} />
            )}
          </Field>
          <Field label="Minimum success rate, %" error={errors.minSuccessRate}>
            {(control) => (
              <input
                {...control}
                inputMode="decimal"
                value={form.minSuccessRate}
                onChange={(e) => update({ minSuccessRate: e.target.value })}
              />
            )}
          </Field>
          <Field label="Maximum p99 latency, ms" error={errors.maxP99Ms}>
            {(control) => (
              <input {...control} inputMode="decimal" value={form.maxP99Ms} onChange={(e) => update({ maxP99Ms: e.target.value })} />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>4. A/B test (optional)</legend>
        <p className={styles.hint}>
          With a header match, only matching requests reach the canary, for a number of analysis rounds, instead of steps.
        </p>
        <div className={styles.fields}>
          <Field label="Header" error={errors.matchHeader}>
            {(control) => (
              <input {...control} value={form.matchHeader} onChange={(e) => update({ matchHeader: e.target.value })} spellCheck={false} />
            )}
          </Field>
          <Field label="Header value" error={errors.matchValue}>
            {(control) => (
              <input {...control} value={form.matchValue} onChange={(e) => update({ matchValue: e.target.value })} spellCheck={false} />
            )}
          </Field>
          <Field label="Analysis rounds" error={errors.iterations}>
            {(control) => (
              <input {...control} inputMode="numeric" value={form.iterations} onChange={(e) => update({ iterations: e.target.value })} />
            )}
          </Field>
        </div>
      </fieldset>

      <div className={styles.actions}>
        <button type="submit" className="button" disabled={preview.isPending}>
          Preview YAML
        </button>
      </div>
      {preview.isError ? (
        <p className="error" role="alert">
          {errorMessage(preview.error)}
        </p>
      ) : null}

      {previewed ? (
        <section aria-label="Preview">
          <h2>The Canary</h2>
          <p className="muted">Planned steps: {previewed.steps.map((s) => `${s}%`).join(' → ')} → promote.</p>
          {previewed.warnings.length > 0 ? (
            <ul className="notice">
              {previewed.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <YamlEditor value={previewed.yaml} label="Canary YAML" readOnly />
          {plan ? (
            <p className="muted">
              After the controller initializes it, Deployment {plan.target} gets
              {plan.image ? ` image ${plan.image}` : ''}
              {plan.image && plan.env.length > 0 ? ' and' : ''}
              {plan.env.length > 0 ? ` env ${plan.env.map((e) => e.name).join(', ')}` : ''}, which starts the run.
            </p>
          ) : null}
          <div className={styles.actions}>
            <button
              type="button"
              className="button primary"
              disabled={!plan || stale || start.isPending}
              onClick={() => plan && start.mutate({ plan, yaml: previewed.yaml })}
            >
              Apply and start
            </button>
            {stale ? <span className="muted">The form changed since this preview: preview again to apply it.</span> : null}
            {stage ? (
              <span className="muted" role="status">
                {stage}
              </span>
            ) : null}
          </div>
          {start.isError ? (
            <p className="error" role="alert">
              {errorMessage(start.error)}
            </p>
          ) : null}
        </section>
      ) : null}
    </form>
  );
}
