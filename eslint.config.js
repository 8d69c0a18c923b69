// Lint: floating promises are bugs everywhere; workflow code stays inside the sandbox's rules;
// and each folder may import only the folders below it (README "Architecture"):
//
//   plan/ (pure rules)  <-  workflows/  <-  activities/  <-  stores/  <-  service/  <-  cli/ api/
//   worker/ composes activities and stores;  dev/ (the local stack) may use everything but cli/;
//   nothing in production imports dev/ or cli/; only service/ (and dev/, tests) use the
//   Temporal client at run time (type imports are free everywhere).
import tseslint from 'typescript-eslint';

const FOLDERS = ['plan', 'workflows', 'activities', 'stores', 'service', 'cli', 'api', 'worker', 'dev', 'lib'];

/** The project folders a folder must not import (its own subfolders are always fine). */
const FORBIDDEN = {
  plan: ['workflows', 'activities', 'stores', 'service', 'cli', 'api', 'worker', 'dev', 'lib'],
  workflows: ['stores', 'service', 'cli', 'api', 'worker', 'dev', 'lib'],
  activities: ['workflows', 'service', 'cli', 'api', 'worker', 'dev'],
  stores: ['workflows', 'activities', 'service', 'cli', 'api', 'worker', 'dev'],
  service: ['activities', 'cli', 'api', 'worker', 'dev'],
  api: ['activities', 'cli', 'worker', 'dev'],
  cli: ['activities', 'api', 'worker'],
  worker: ['cli', 'api', 'dev'],
  dev: ['cli'],
  lib: ['workflows', 'activities', 'stores', 'service', 'cli', 'api', 'worker', 'dev'],
};

const folderPatterns = (folders) => folders.flatMap((f) => [`../${f}`, `../${f}/*`, `../../${f}`, `../../${f}/*`]);
const SANDBOX = {
  group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'nodemailer', 'twilio', 'pino', 'pg', 'kysely', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
  message: 'workflow code runs in a deterministic sandbox: no Node built-ins, no I/O libraries',
  allowTypeImports: true,
};
const CLIENT_ONLY_IN_SERVICE = { group: ['@temporalio/client'], message: 'only service/ talks to Temporal through the client (type imports are fine)', allowTypeImports: true };

const zones = Object.entries(FORBIDDEN).map(([folder, forbidden]) => {
  const patterns = [];
  if (forbidden.length) {
    patterns.push({
      group: folderPatterns(forbidden),
      message: `${folder}/ may not import ${forbidden.join(', ')} (README "Architecture": dependencies point one way)`,
      // Types of the layers below are shared freely (workflows import activities by type only).
      allowTypeImports: folder !== 'plan' && folder !== 'lib',
    });
  }
  if (folder === 'workflows' || folder === 'plan') {
    patterns.push(SANDBOX);
    if (folder === 'workflows') patterns.push({ group: folderPatterns(['activities']), message: 'workflows import activities by type only', allowTypeImports: true });
  } else if (!['service', 'dev'].includes(folder)) patterns.push(CLIENT_ONLY_IN_SERVICE);
  return { files: [`${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.plan33/', '**/*.mjs', 'eslint.config.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...zones,
);

export { FOLDERS, FORBIDDEN };
