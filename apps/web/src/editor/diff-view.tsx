'use client';

import { yaml } from '@codemirror/lang-yaml';
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { editorTheme } from './editor-theme';

interface DiffViewProps {
  before: string;
  after: string;
  /** Names of the two sides, for screen readers and the column headings. */
  beforeLabel: string;
  afterLabel: string;
}

/** A side-by-side, read-only diff of two YAML texts (@codemirror/merge), unchanged stretches collapsed. */
export function DiffView({ before, after, beforeLabel, afterLabel }: DiffViewProps) {
  const parent = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!parent.current) return;
    const side = (label: string) => [
      basicSetup,
      yaml(),
      editorTheme,
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      EditorView.contentAttributes.of({ 'aria-label': label }),
    ];
    const view = new MergeView({
      a: { doc: before, extensions: side(beforeLabel) },
      b: { doc: after, extensions: side(afterLabel) },
      parent: parent.current,
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    return () => view.destroy();
  }, [before, after, beforeLabel, afterLabel]);
  return (
    <div className="diff-view" data-testid="diff-view">
      <div className="diff-heads" aria-hidden="true">
        <span>{beforeLabel}</span>
        <span>{afterLabel}</span>
      </div>
      <div ref={parent} />
    </div>
  );
}
