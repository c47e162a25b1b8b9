'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import type { GateType, RolloutDetail } from './rollout-types';
import styles from './rollouts.module.css';

type Command = 'promote' | 'pause' | 'resume' | 'abort' | 'retry' | 'approve';

const RUNNING = new Set(['Initializing', 'Waiting', 'Progressing', 'WaitingPromotion']);

/** Which commands fit the run as it stands; the API refuses the others (409) anyway. */
export function availableCommands(rollout: Pick<RolloutDetail, 'phase' | 'suspended' | 'gate'>): Set<Command> {
  const commands = new Set<Command>();
  const running = rollout.phase !== null && RUNNING.has(rollout.phase);
  if (running) {
    commands.add('promote');
    commands.add('abort');
  }
  if (rollout.suspended) commands.add('resume');
  else if (rollout.phase !== 'Succeeded' && rollout.phase !== 'Failed') commands.add('pause');
  if (rollout.phase === 'Failed') commands.add('retry');
  if (rollout.gate) commands.add('approve');
  return commands;
}

const CONFIRM: Partial<Record<Command, (r: RolloutDetail) => string>> = {
  promote: (r) => `Promote ${r.namespace}/${r.name} now, skipping the remaining steps and their analysis?`,
  abort: (r) => `Abort ${r.namespace}/${r.name}? All traffic goes back to the primary and the run is marked failed.`,
};

/** Promote, pause, resume, abort, retry and approve: operators only (the caller hides this from viewers); each call is audited by the BFF. */
export function RolloutActions({ rollout }: { rollout: RolloutDetail }) {
  const queryClient = useQueryClient();
  const target = { namespace: rollout.namespace, name: rollout.name };
  const run = useMutation({
    mutationFn: ({ command, gate }: { command: Command; gate?: GateType }) => {
      switch (command) {
        case 'promote':
          return api.rollouts.promote.mutate(target);
        case 'pause':
          return api.rollouts.pause.mutate(target);
        case 'resume':
          return api.rollouts.resume.mutate(target);
        case 'abort':
          return api.rollouts.abort.mutate(target);
        case 'retry':
          return api.rollouts.retry.mutate(target);
        case 'approve':
          return api.rollouts.approve.mutate({ ...target, gate: gate ?? 'confirm-rollout' });
      }
    },
    onSuccess: (detail) => {
      queryClient.setQueryData(['rollouts.get', target], detail);
      void queryClient.invalidateQueries({ queryKey: ['rollouts.list'] });
    },
  });
  const commands = availableCommands(rollout);
  const button = (command: Command, label: string, className = 'button', gate?: GateType) =>
    commands.has(command) ? (
      <button
        type="button"
        className={className}
        disabled={run.isPending}
        onClick={() => {
          const question = CONFIRM[command]?.(rollout);
          if (question && !window.confirm(question)) return;
          run.mutate(gate ? { command, gate } : { command });
        }}
      >
        {label}
      </button>
    ) : null;

  return (
    <section aria-label="Actions">
      <div className={styles.actions}>
        {button('promote', 'Promote now', 'button primary')}
        {button('pause', 'Pause')}
        {button('resume', 'Resume')}
        {button('abort', 'Abort (roll back)', 'button danger')}
        {button('retry', 'Retry')}
        {rollout.gate ? button('approve', `Approve ${rollout.gate.type}`, 'button primary', rollout.gate.type) : null}
        {commands.size === 0 ? <span className="muted">Nothing to do for a {rollout.phase ?? 'new'} run.</span> : null}
        {run.isPending ? (
          <span className="muted" role="status">
            Sending…
          </span>
        ) : null}
      </div>
      {run.isError ? (
        <p className="error" role="alert">
          {errorMessage(run.error)}
        </p>
      ) : null}
    </section>
  );
}
