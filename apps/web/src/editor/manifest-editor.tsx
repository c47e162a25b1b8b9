'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { api } from '../api/client';
import { errorCode, errorMessage } from '../api/errors';
import { DiffView } from './diff-view';
import type { EditorMarker } from './markers';
import { formFromObject, hiddenFields, isFormKind, objectFromForm, type PolicyForm } from './policy-form';
import { PolicyFormFields } from './policy-form-fields';
import { YamlEditor } from './yaml-editor';
import { editableYaml, revisionYaml } from './yaml-text';
import './editor.css';

/** The BFF validates in a GET query; larger drafts are checked by apply itself. */
const MAX_LIVE_CHECK_CHARS = 8 * 1024;
const CHECK_DELAY_MS = 400;
const NO_MARKERS: readonly EditorMarker[] = [];

type Mode = 'form' | 'yaml';
type Json = Record<string, unknown>;

interface FormState {
  form: PolicyForm;
  /** The object the form writes into: fields it does not show come from here. */
  base: Json;
}

interface Review {
  draft: string;
  stored: string;
  targets: string[];
}

interface ManifestEditorProps {
  /** A stored object's YAML carries its resourceVersion, so apply refuses the draft if the object changed meanwhile. */
  initialYaml: string;
  /** Names the editor for screen readers and the review. */
  title: string;
  canApply: boolean;
  /** Extra panel under the actions, given the current text (the policies page puts the impact preview there). */
  preview?: (yaml: string) => ReactNode;
  onApplied?: (targets: { kind: string; namespace: string; name: string }[]) => void;
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

function describeTarget(d: { kind?: string | undefined; namespace?: string | undefined; name?: string | undefined }): string {
  return `${d.kind}/${d.namespace ? `${d.namespace}/` : ''}${d.name}`;
}

/**
 * One document, two modes: a form for the common policy cases and YAML (CodeMirror) with validation and
 * analysis markers on the named field's line. Apply first shows the diff against the stored version; the
 * document's resourceVersion makes apply refuse a stale edit (the draft stays here).
 */
export function ManifestEditor({ initialYaml, title, canApply, preview, onApplied }: ManifestEditorProps) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(initialYaml);
  const [mode, setMode] = useState<Mode>('yaml');
  const [formState, setFormState] = useState<FormState | undefined>();
  const [switchProblem, setSwitchProblem] = useState<string | undefined>();
  const [review, setReview] = useState<Review | undefined>();
  const [applied, setApplied] = useState<string | undefined>();

  const checked = useDebounced(text, CHECK_DELAY_MS);
  const tooLarge = checked.length > MAX_LIVE_CHECK_CHARS;
  const validation = useQuery({
    queryKey: ['resources.validate', checked],
    queryFn: () => api.resources.validate.query({ yaml: checked }),
    enabled: checked.trim().length > 0 && !tooLarge,
    retry: false,
    staleTime: 2_000,
  });
  const report = validation.data;
  const current = checked === text && report;
  const markers: readonly EditorMarker[] = report?.problems ?? NO_MARKERS;
  const blocking = report ? !report.valid : false;

  // The form's text is the YAML of its object: edits in either mode land in the one document.
  const updateForm = (form: PolicyForm) => {
    if (!formState) return;
    setFormState({ ...formState, form });
    setText(editableYaml(objectFromForm(form, formState.base)));
  };

  const toForm = async () => {
    setSwitchProblem(undefined);
    try {
      const checkedNow = await api.resources.validate.query({ yaml: text });
      const documents = checkedNow.documents;
      const only = documents[0];
      if (documents.length !== 1 || !only?.object) {
        const first = checkedNow.problems.find((p) => p.level === 'Error');
        setSwitchProblem(
          documents.length > 1
            ? 'The form edits one document; this text has several. Keep editing it as YAML.'
            : `The form needs a document it can read${first ? `: line ${first.line}: ${first.message}` : ''}. Fix it in YAML first.`,
        );
        return;
      }
      const object = only.object as unknown as Json;
      if (!isFormKind(object.kind)) {
        setSwitchProblem(`The form edits AuthorizationPolicy and PeerAuthentication; ${String(object.kind)} is edited as YAML.`);
        return;
      }
      setFormState({ form: formFromObject(object), base: object });
      setMode('form');
    } catch (error) {
      setSwitchProblem(`Could not read the YAML: ${errorMessage(error)}`);
    }
  };

  const startReview = async () => {
    setApplied(undefined);
    apply.reset();
    const checkedNow = await api.resources.validate.query({ yaml: text }).catch(() => undefined);
    const documents = checkedNow?.documents.filter((d) => d.kind && d.name) ?? [];
    const stored = await Promise.all(
      documents.map((d) =>
        api.resources.get
          .query({ kind: d.kind as string, ...(d.namespace ? { namespace: d.namespace } : {}), name: d.name as string })
          .then((o) => revisionYaml(o as unknown as Json))
          .catch(() => ''),
      ),
    );
    const drafts = documents.map((d) => revisionYaml(d.object as unknown as Json | undefined));
    setReview({
      draft: drafts.length > 0 ? drafts.join('---\n') : text,
      stored: stored.join(stored.length > 1 ? '---\n' : ''),
      targets: documents.map(describeTarget),
    });
  };

  const apply = useMutation({
    mutationFn: () => api.resources.applyManifests.mutate({ yaml: text }),
    onSuccess: async (result) => {
      setReview(undefined);
      setApplied(result.results.map((r) => `${describeTarget(r)} ${r.action}`).join(', '));
      // The draft becomes the stored version, with its new resourceVersion, so the next edit starts from it.
      const stored = await Promise.all(
        result.results.map((r) =>
          api.resources.get.query({ kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name }),
        ),
      ).catch(() => undefined);
      if (stored) {
        const objects = stored.map((o) => o as unknown as Json);
        setText(objects.map(editableYaml).join('---\n'));
        if (formState && objects.length === 1 && objects[0]) setFormState({ form: formFromObject(objects[0]), base: objects[0] });
      }
      void queryClient.invalidateQueries();
      onApplied?.(result.results);
    },
  });
  const conflict = apply.isError && errorCode(apply.error) === 'CONFLICT';

  const hidden = formState ? hiddenFields(formState.base) : [];

  return (
    <section className="manifest-editor" aria-label={title}>
      <div className="tabs" role="tablist" aria-label="Editor mode">
        <button type="button" role="tab" aria-selected={mode === 'form'} className="tab" onClick={() => void toForm()}>
          Form
        </button>
        <button type="button" role="tab" aria-selected={mode === 'yaml'} className="tab" onClick={() => setMode('yaml')}>
          YAML
        </button>
      </div>
      {switchProblem ? (
        <p className="error" role="alert">
          {switchProblem}
        </p>
      ) : null}

      {mode === 'form' && formState ? (
        <>
          <PolicyFormFields form={formState.form} onChange={updateForm} />
          {hidden.length > 0 ? (
            <p className="notice" data-testid="hidden-fields">
              Kept as they are, but not shown in the form (edit them in YAML): {hidden.join(', ')}.
            </p>
          ) : null}
        </>
      ) : (
        <YamlEditor value={text} onChange={setText} markers={markers} label={`${title} (YAML)`} />
      )}

      <div className="editor-status" aria-live="polite">
        {tooLarge ? (
          <p className="muted">The draft is too large to check as you type; apply checks it.</p>
        ) : validation.isError ? (
          <p className="error">Could not check the draft: {errorMessage(validation.error)}</p>
        ) : !report ? (
          <p className="muted">Checking…</p>
        ) : (
          <>
            <p className={blocking ? 'error' : 'muted'} data-testid="validation-summary">
              {blocking
                ? 'This draft cannot be applied as it is: see the errors below.'
                : `Valid${current ? '' : ' (checking the latest edit…)'}: ${report.documents
                    .map((d) => `${describeTarget(d)} would be ${d.action ?? 'applied'}`)
                    .join(', ')}.`}
            </p>
            {report.problems.length > 0 ? (
              <ul className="problems" aria-label="Problems">
                {report.problems.map((p) => (
                  <li key={`${p.code}:${p.line}:${p.column}:${p.message}`} className={`problem-${p.level}`}>
                    <span className="badge">{p.level}</span>
                    line {p.line}: <code>{p.code}</code> {p.path ? <code>{p.path}</code> : null} {p.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
      </div>

      {preview?.(text)}

      {canApply ? (
        <div className="toolbar">
          <button type="button" className="button primary" onClick={() => void startReview()} disabled={blocking || apply.isPending}>
            Review and apply
          </button>
        </div>
      ) : (
        <p className="muted">You can check drafts; applying needs the operator role.</p>
      )}

      {review ? (
        <section className="card" aria-label="Review the change">
          <h2>Review: {review.targets.join(', ') || 'the draft'}</h2>
          <p className="muted">Left: the stored version (empty for a new object). Right: what apply would store.</p>
          <DiffView before={review.stored} after={review.draft} beforeLabel="Stored" afterLabel="Draft" />
          <div className="toolbar">
            <button type="button" className="button primary" onClick={() => apply.mutate()} disabled={apply.isPending}>
              Apply
            </button>
            <button type="button" className="button" onClick={() => setReview(undefined)}>
              Cancel
            </button>
          </div>
        </section>
      ) : null}

      {apply.isError ? (
        <div className="error" role="alert" data-testid="apply-error">
          {conflict ? (
            <p>
              Someone else changed this object after you opened it, so nothing was applied and your draft is kept here. Review again to
              compare it with the stored version; to apply your draft over theirs, remove <code>metadata.resourceVersion</code> (or set it
              to the stored one) and apply again.
            </p>
          ) : null}
          <p>Nothing was applied: {errorMessage(apply.error)}</p>
        </div>
      ) : null}
      {applied ? (
        <p className="applied" role="status" data-testid="apply-result">
          Applied: {applied}.
        </p>
      ) : null}
    </section>
  );
}
