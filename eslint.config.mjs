// Lint: typescript-eslint's type-checked rules. `tsc --noEmit` runs beside it (npm run lint).
import eslint from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'reports/',
      'allure-results/',
      'allure-report/',
      '.spotcheck/',
      '**/*.mjs',
      // dependency-cruiser's configuration (CommonJS, plain JavaScript; npm run lint:boundaries).
      '.dependency-cruiser.cjs',
      // cucumber-js's configuration (an ES module, plain JavaScript) and the copies drift writes of it.
      'cucumber.js',
      'drift/runs/',
      'fixtures/',
      'sandbox/aws/spotcheck_moto/',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // allure.* returns PromiseLike; without checkThenables an un-awaited call goes unnoticed.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          checkThenables: true,
          // node:test's describe/it return promises the runner itself tracks.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
)
