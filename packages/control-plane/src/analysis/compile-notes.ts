import type { KubeObject } from '@ambit/shared';
import type { CompileNote, CompileNoteCode } from '@ambit/shared/authz';
import type { CodeInfo } from './codes';
import { messageFor } from './message';
import type { AnalysisMessage } from './types';

/** The shared authorization compiler's notes as messages, for the note codes `table` maps; others are left out. */
export function compileNoteMessages(
  object: KubeObject,
  notes: readonly CompileNote[],
  table: Partial<Record<CompileNoteCode, CodeInfo>>,
): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  for (const note of notes) {
    const info = table[note.code];
    if (info) out.push(messageFor(info, object, note.path ?? '', note.message));
  }
  return out;
}
