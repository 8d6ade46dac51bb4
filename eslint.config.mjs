import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      '.venv/**',
      '.temporal/**',
      'data/**',
      'coverage/**',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // ANSI escapes in patterns are meant
      'no-control-regex': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // data comes from seeded streams; test faults come in through the activities' dependencies
    files: ['src/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'use a seeded stream (src/simulation/seeded-random.ts); test faults are a dependency',
        },
      ],
    },
  },
  {
    // a worker that is stopping drops an activity handed to it eagerly; the run then waits out the activity's timeout
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.name="proxyActivities"]:not(:has(Property[key.name="allowEagerDispatch"][value.value=false]))',
          message: 'give proxyActivities allowEagerDispatch: false (see workflows/generate-dataset.ts)',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
  },
  {
    // a skip says why, in the run's summary (test/setup/skip-reasons-reporter.ts): ctx.skip(reason) inside the test
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['it', 'test', 'describe'].flatMap((object) =>
          ['skip', 'skipIf', 'runIf'].map((property) => ({ object, property, message: 'skip inside the test with ctx.skip(reason)' })),
        ),
      ],
    },
  },
);
