import type { RouterInputs, RouterOutputs } from '../../api/types';

/** The policies.* procedures' shapes (contract: /work/notes/contracts/policies-api.md), as the console uses them. */

export type PolicySummary = RouterOutputs['policies']['list']['policies'][number];
export type SimulateInput = RouterInputs['policies']['simulate'];
export type SimulationResult = RouterOutputs['policies']['simulate'];
export type ImpactReport = RouterOutputs['policies']['impact'];
export type ChangedFlowGroup = ImpactReport['allowToDeny'][number];

/** Where the generator hands its YAML to the editor (same tab). */
export const DRAFT_STORAGE_KEY = 'ambit.policies.draft';
