// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CORE_NO_UI = 'packages/core must not import vscode or Slack: keep UI out of the model';
const PURE_DOMAIN = 'domain code is pure: take the time, ids and authorisation view from DecideEnv, never a clock, randomness or the store';

/**
 * `view.users[id]`, `state.products[id]`, `s.versions[id]`, `x.view.groups[id]`: a table of the
 * account state indexed with brackets. An id from outside named like a prototype member
 * (`constructor`, `toString`, `__proto__`) finds Object.prototype's member there instead of
 * nothing. Writes and deletes are fine (ids cannot start with `_`), and so is the guarded form
 * `Object.hasOwn(t, id) ? t[id] : …`; everything else goes through an own-property lookup.
 */
const TABLES = 'users|products|environments|releases|requests|versions|groups|roles|keys|teams|rules|grants';
export const STATE_LOOKUP = [
  `MemberExpression[computed=true][object.type='MemberExpression'][object.computed=false][object.property.name=/^(${TABLES})$/]`,
  `:matches([object.object.name=/^(view|state|s)$/], [object.object.property.name=/^(view|state)$/])`,
  ':not(AssignmentExpression > MemberExpression.left)',
  ":not(UnaryExpression[operator='delete'] > MemberExpression)",
  ":not(ConditionalExpression[test.callee.object.name='Object'][test.callee.property.name='hasOwn'] > MemberExpression.consequent)",
].join('');
const OWN_LOOKUP = 'an id named like a prototype member (constructor, toString) finds Object.prototype here: look it up with own(table, id) / found(table, entity, id) (own properties only), or Object.hasOwn first';

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
    files: ['packages/*/src/**/*.ts'],
    // Owned elsewhere, listed for their owners: a for-in loop over the table's own keys
    // (compiled-index), the actor's own id (guards) and a benchmark's own ids (bench).
    ignores: ['packages/core/src/authz/compiled-index.ts', 'packages/core/src/kernel/guards.ts', 'packages/bench/src/slack-part.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: STATE_LOOKUP, message: OWN_LOOKUP }],
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
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: PURE_DOMAIN },
        { selector: STATE_LOOKUP, message: OWN_LOOKUP },
      ],
    },
  },
  {
    // A for-in loop over the grants' own keys (listed for the core's owner: own() would say so).
    files: ['packages/core/src/state/derived.ts'],
    rules: { 'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: PURE_DOMAIN }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
