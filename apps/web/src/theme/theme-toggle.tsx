'use client';

import { useEffect, useState } from 'react';
import { THEME_STORAGE_KEY as STORAGE_KEY } from './boot-script';

type ThemeChoice = 'system' | 'light' | 'dark';
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };

function apply(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** Cycles system → light → dark; "system" follows prefers-color-scheme. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>('system');
  useEffect(() => {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark') setChoice(stored);
  }, []);
  const next = NEXT[choice];
  return (
    <button
      type="button"
      className="button subtle"
      aria-label={`Theme: ${choice}. Switch to ${next}`}
      onClick={() => {
        setChoice(next);
        apply(next);
        if (next === 'system') localStorage.removeItem(STORAGE_KEY);
        else localStorage.setItem(STORAGE_KEY, next);
      }}
    >
      Theme: {choice}
    </button>
  );
}
