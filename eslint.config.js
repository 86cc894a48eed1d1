import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/', '.data/', '.tools/', 'coverage/', 'scratch/', 'public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Domain code is pure and deterministic; workflow code runs in Temporal's sandbox and must replay
    // identically. Neither may reach for Node built-ins, the database or the network.
    files: ['src/domain/**/*.ts', 'src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Domain and workflow code must not use Node built-ins.' },
            {
              group: ['**/db/**', '**/activities/**', '**/api/**', '**/generated/**', 'pg', 'stripe', 'fastify'],
              message: 'Domain and workflow code stay free of I/O (activity types are fine: import type).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '@temporalio/*', '**/generated/**', 'pg', 'stripe', 'fastify'],
              message: 'src/domain is pure: no Temporal, Prisma, Stripe or Node.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON bodies of many shapes; typing each one would add noise, not safety.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The cart and the order ask for patches through their release baseline (src/workflows/baseline.ts).
    files: ['src/workflows/cart.workflow.ts', 'src/workflows/order/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@temporalio/workflow',
              importNames: ['patched'],
              message: "ask through the run's release baseline (releaseBaseline, src/workflows/baseline.ts)",
            },
          ],
        },
      ],
    },
  },
  {
    // Preloads (`node --require`, a workflow thread's execArgv) are CommonJS that Node runs as is.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
