// ESLint (flat config): typescript-eslint with type information, for what a formatter cannot see.
import js from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Derived files are checked for drift, not linted; the fixtures are deliberately wrong code.
    ignores: [
      'node_modules/',
      'dist/',
      'generated/',
      'test-results/',
      'data/',
      'bench/results/',
      'test/contract/fixtures/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      // A promise nobody awaits loses its error: in a gateway that is an unhandled rejection or a lost answer.
      '@typescript-eslint/no-floating-promises': 'error',
      // Express 5 awaits async handlers and passes their rejections on, so a promise as an argument is fine;
      // a promise where a condition or a void callback (an event listener) is expected is not.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        // `_name` marks a parameter a signature requires (Express's error handler) or a field left out on purpose.
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
    },
  },
  {
    // Tests read arbitrary JSON answers (an ORDS body, a problem) and assert on their shape; `any` is the honest type.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain JavaScript (this file, the benchmark's module hooks) is outside tsconfig: no type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
