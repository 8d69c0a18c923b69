// Lint: floating promises are bugs everywhere; workflow code stays inside the sandbox's rules.
import tseslint from 'typescript-eslint';

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
  {
    // Workflows run in a deterministic sandbox: no Node built-ins, no I/O libraries, no clocks
    // other than the workflow's own.
    files: ['workflows/**/*.ts', 'plan/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto'], message: 'no Node built-ins in workflow code' },
            { group: ['nodemailer', 'twilio', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '../activities', '../activities/*', '../lib/*', '../worker/*'], message: 'workflow code imports activities by type only and no I/O libraries', allowTypeImports: true },
          ],
        },
      ],
    },
  },
);
