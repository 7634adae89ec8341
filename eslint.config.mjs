// ESLint (flat config): the recommended JavaScript and typescript-eslint rules over our own TypeScript. Formatting is
// Prettier's job (.prettierrc.json). Generated code is left out: it is regenerated (`npm run import`), not edited.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**', 'cdk.out/**', '.validate/**', '.bench/**', 'node_modules/**', 'lib/imports/**', '**/*.generated.ts',
      '**/*.js', '**/*.mjs', '**/*.d.ts', 'examples/python/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Kubernetes objects read back from synthesized output are untyped JSON, and jsii's JSON type for wire shapes on
      // public members is `{ [key: string]: any }` (jsii has no `unknown`): `any` is the honest type there.
      '@typescript-eslint/no-explicit-any': 'off',
      // `_`-prefixed names mark parameters kept for a signature (callbacks, overrides).
      // Lazy loading (docs/benchmarks.md, "bare app"): the generated bindings and cdk8s-plus are required on first use,
      // not imported, so an app that does not use them does not load them. Only those modules may be required.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['/imports/', '^cdk8s-plus-34$'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
