import type { RouterInputs, RouterOutputs } from '../api/types';

/** The BFF's rollouts.* and traffic.* answers, as the console reads them (see /work/notes/contracts/rollouts-api.md). */
export type RolloutSummary = RouterOutputs['rollouts']['list']['items'][number];
export type RolloutDetail = RouterOutputs['rollouts']['get'];
export type GateType = RouterInputs['rollouts']['approve']['gate'];
export type RolloutPreview = RouterOutputs['rollouts']['createPreview'];

export type TrafficSplit = RouterOutputs['traffic']['get'];
export type SplitInput = RouterInputs['traffic']['preview'];
