// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CORE_NO_UI = 'packages/core must not import vscode or Slack: keep UI out of the model';
const PURE_DOMAIN = 'domain code is pure: take the time, ids and authorisation view from DecideEnv, never a clock, randomness or the store';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/dist-smoke/**', '**/node_modules/**', '**/out/**', '**/.vscode-test/**', '.cache/**', 'test-artifacts/**', 'packages/slack-bot/action-dist/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: CORE_NO_UI }],
          patterns: [{ group: ['vscode/*', '@slack/*'], message: CORE_NO_UI }],
        },
      ],
    },
  },
  {
    // The domains' decide and evolve functions are pure: time, ids and the authorisation view come
    // in through DecideEnv; storage and randomness stay in the kernel and the facade.
    files: ['packages/core/src/domains/**/*.ts', 'packages/core/src/state/**/*.ts', 'packages/core/src/events/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: CORE_NO_UI },
            { name: 'node:crypto', importNames: ['randomBytes', 'randomUUID', 'randomInt'], message: PURE_DOMAIN },
          ],
          patterns: [
            { group: ['vscode/*', '@slack/*'], message: CORE_NO_UI },
            { group: ['**/store/*', '**/kernel/commit-loop.js', '**/kernel/activity.js', 'keyv', '@keyv/*'], message: PURE_DOMAIN },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: PURE_DOMAIN },
        { object: 'Math', property: 'random', message: PURE_DOMAIN },
        { object: 'performance', property: 'now', message: PURE_DOMAIN },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: PURE_DOMAIN }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
