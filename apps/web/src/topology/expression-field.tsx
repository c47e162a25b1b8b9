'use client';

import { useEffect, useId, useState } from 'react';
import { parseGraphExpression } from './graph-expression';

/**
 * A find or hide box: what is typed is checked as it is typed, applied on Enter or when leaving the box if it
 * parses (or is empty), and explained below the box when it does not.
 */
export function ExpressionField({
  label,
  name,
  value,
  placeholder,
  onCommit,
}: {
  label: string;
  name: string;
  value: string;
  placeholder: string;
  onCommit: (text: string) => void;
}) {
  const [text, setText] = useState(value);
  const errorId = useId();
  // A new link (back button, another tab's link) replaces what was typed.
  useEffect(() => setText(value), [value]);
  const trimmed = text.trim();
  const parsed = trimmed === '' ? null : parseGraphExpression(trimmed);
  const error = parsed && !parsed.ok ? parsed.error : null;
  const commit = () => {
    if (!error && trimmed !== value) onCommit(trimmed);
  };
  return (
    <div className="graph-expression">
      <label>
        {label}
        <input
          type="search"
          name={name}
          value={text}
          placeholder={placeholder}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
        />
      </label>
      {error ? (
        <p className="expression-error" id={errorId} role="alert" data-testid={`${name}-error`}>
          {error.message}
          {trimmed.length > 0 ? ` (at character ${error.at + 1})` : ''}
        </p>
      ) : null}
    </div>
  );
}
