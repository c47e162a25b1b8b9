'use client';

import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState, type Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { editorTheme } from './editor-theme';
import type { EditorMarker } from './markers';

/** A marker's place as document offsets: from its line and column to the end of that line (the whole field). */
function toDiagnostic(doc: Text, marker: EditorMarker): Diagnostic {
  const line = doc.line(Math.min(Math.max(marker.line, 1), doc.lines));
  const from = Math.min(line.from + Math.max(marker.column - 1, 0), line.to);
  return {
    from,
    to: Math.max(line.to, from),
    severity: marker.level === 'Error' ? 'error' : marker.level === 'Warning' ? 'warning' : 'info',
    source: marker.code,
    message: marker.path ? `${marker.path}: ${marker.message}` : marker.message,
  };
}

interface YamlEditorProps {
  value: string;
  onChange?: (value: string) => void;
  markers?: readonly EditorMarker[];
  label: string;
  readOnly?: boolean;
}

/** CodeMirror 6 with YAML highlighting; markers (analysis and validation) become lint diagnostics on their lines. */
export function YamlEditor({ value, onChange, markers = [], label, readOnly = false }: YamlEditorProps) {
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is created once; value and markers are pushed in below.
  useEffect(() => {
    if (!parent.current) return;
    const created = new EditorView({
      parent: parent.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          editorTheme,
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    const current = view.current;
    if (!current || current.state.doc.toString() === value) return;
    current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const doc = current.state.doc;
    current.dispatch(
      setDiagnostics(
        current.state,
        markers.map((m) => toDiagnostic(doc, m)),
      ),
    );
  }, [markers]);

  return <div className="yaml-editor" ref={parent} data-testid="yaml-editor" />;
}
