// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Library code never chooses the runtime: backends, tfjs-node and the `@tensorflow/tfjs` umbrella are the
 * user's (or `@tdhook/backend`'s) choice. Importing them from a package's source would pull a backend into
 * every install and risks a second tfjs-core copy.
 */
const forbiddenRuntimeImports = {
  patterns: [
    {
      regex: '^@tensorflow/tfjs$',
      message: 'Import from @tensorflow/tfjs-core (a peer dependency), never the @tensorflow/tfjs umbrella.',
    },
    {
      regex: '^@tensorflow/tfjs-(backend-[a-z0-9-]+|node(-gpu)?)(/.*)?$',
      message:
        'Only @tdhook/backend may load a TF.js backend; library code must work on whichever backend is set.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/bench-dist/**',
      '**/coverage/**',
      '**/.turbo/**',
      '**/node_modules/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.tooling.json', './packages/*/tsconfig.json', './apps/*/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `using _handle = …` keeps a disposable alive for a block without naming a use for it.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
      'no-restricted-exports': [
        'error',
        { restrictDefaultExports: { direct: true, named: true, defaultFrom: true } },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/backend/src/**', 'packages/testing/src/**'],
    rules: {
      'no-restricted-imports': ['error', forbiddenRuntimeImports],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'ImportExpression[source.value=/^@tensorflow\\/tfjs(-backend-[a-z0-9-]+|-node(-gpu)?)?$/]',
          message: 'Only @tdhook/backend may load a TF.js backend, the umbrella or tfjs-node, even lazily.',
        },
        {
          selector: "CallExpression[callee.property.name='setBackend']",
          message: 'Library code must not switch backends; that is @tdhook/backend’s job.',
        },
      ],
    },
  },
  {
    // Config files and scripts use default exports where their tools require it.
    files: ['**/*.config.ts', '**/*.config.js', 'eslint.config.js', 'scripts/**', '.ci/**'],
    rules: { 'no-restricted-exports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
