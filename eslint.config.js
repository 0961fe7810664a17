// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries from DESIGN.md: modules below http/ never import each other.
 * Each entry lists the sibling modules a folder must not import.
 */
const below = ['policy', 'session', 'oidc', 'mfa', 'headers', 'proxy'];
const boundary = (/** @type {string} */ mod, /** @type {string[]} */ banned) => ({
  files: [`src/${mod}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...banned.map((b) => ({ group: [`../${b}`, `../${b}/*`], message: `src/${mod} must not import src/${b} (DESIGN.md module rules)` })),
          ...(mod === 'proxy' ? [] : [{ group: ['http-proxy'], message: 'http-proxy is imported in src/proxy only' }]),
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.config.ts', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Examples for app developers: plain JavaScript outside the TypeScript project.
    files: ['examples/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  boundary('core', ['config', 'http', 'observability', 'cli', 'demo', ...below]),
  boundary('config', ['http', 'observability', 'cli', 'demo', ...below]),
  ...below.map((m) => boundary(m, ['http', 'cli', 'demo', 'observability', ...below.filter((x) => x !== m)])),
  boundary('observability', ['config', 'http', 'cli', 'demo', ...below]),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
