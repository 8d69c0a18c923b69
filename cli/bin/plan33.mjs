#!/usr/bin/env node
// `npx plan33 ...`: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
