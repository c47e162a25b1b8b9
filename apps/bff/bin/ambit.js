#!/usr/bin/env node
// The ambit CLI runs its TypeScript sources through tsx's loader: no build step between a
// fresh `npm ci` and a working `npx ambit`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
