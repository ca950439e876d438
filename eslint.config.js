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

/**
 * TF.js private internals (the engine, its gradient tape, the kernel and gradient registries, the globals
 * that hold them) are touched in one place only: @tdhook/tfjs-internals, which checks them against the
 * installed tfjs-core before first use and keeps patches in force whatever the import order
 * (docs/decisions/0006-tfjs-internals.md). Everywhere else, tests included, use its API: `findKernel`,
 * `registerKernelPatch`, `findGradient`, `withGradientOverride`, `RecordedPass`, … (`runKernel` on its
 * `/testing` subpath). Selectors see names, not bindings: they reject the forbidden names however they are
 * reached (named import, member, string-keyed member, destructuring), on any object but `this`; a bare local
 * function or variable of that name is fine.
 */
const internalsMessage =
  'TF.js internals are touched only in @tdhook/tfjs-internals; use its API (findKernel, registerKernelPatch, findGradient, registerGradientPatch, withGradientOverride, RecordedPass, …; runKernel from @tdhook/tfjs-internals/testing).';
const registryFunctions = [
  'registerKernel',
  'unregisterKernel',
  'getKernel',
  'getKernelsForBackend',
  'registerGradient',
  'unregisterGradient',
  'getGradient',
];
/** tfjs-core exports that hand out the engine or the environment global. */
const engineExports = ['engine', 'ENGINE', 'ENV'];
const forbiddenNames = `/^(${[...engineExports, ...registryFunctions].join('|')})$/`;
// As members of anything but a plain identifier, `ENV` is too common a name (`process.env.ENV`) to forbid.
const forbiddenMembers = `/^(${['engine', 'ENGINE', ...registryFunctions].join('|')})$/`;
/** Where tfjs-core keeps its registries and its engine on the global object. */
const tfjsGlobals = '/^_tf(Globals|engine)$/';
const forbiddenInternalsSyntax = [
  {
    // Named imports and re-exports; a namespace import (`import * as tf`) is fine, its members are checked below.
    selector: [
      `ImportDeclaration[source.value='@tensorflow/tfjs-core'] > ImportSpecifier[imported.name=${forbiddenNames}]`,
      `ExportNamedDeclaration[source.value='@tensorflow/tfjs-core'] > ExportSpecifier[local.name=${forbiddenNames}]`,
    ].join(', '),
    message: internalsMessage,
  },
  {
    // Members, called or only read (`const e = tf.engine`), with a name or a string key (`tf['getKernel']`).
    selector: [
      `MemberExpression[computed=false][object.type!='ThisExpression'][property.name=${forbiddenMembers}]`,
      `MemberExpression[computed=true][object.type!='ThisExpression'][property.value=${forbiddenMembers}]`,
      `MemberExpression[computed=true] > TemplateLiteral.property[expressions.length=0] > TemplateElement[value.cooked=${forbiddenMembers}]`,
      "MemberExpression[object.type='Identifier']:matches([computed=false][property.name='ENV'], [property.value='ENV'])",
      `CallExpression[callee.object.name=/^(Reflect|Object)$/] > Literal.arguments[value=${forbiddenNames}]`,
    ].join(', '),
    message: internalsMessage,
  },
  {
    // Destructuring (`const { registerKernel } = tf`, also in parameters and assignments).
    selector: [
      `ObjectPattern > Property[computed=false][key.name=${forbiddenNames}]`,
      `ObjectPattern > Property[key.value=${forbiddenNames}]`,
    ].join(', '),
    message: internalsMessage,
  },
  {
    // The globals themselves, however reached (`globalThis._tfGlobals`, `globalThis['_tfGlobals']`, …).
    selector: `Identifier[name=${tfjsGlobals}], Literal[value=${tfjsGlobals}]`,
    message: internalsMessage,
  },
  {
    selector: [
      "AssignmentExpression:matches([left.object.name='console'], [left.object.property.name='console'], [left.object.property.value='console']):matches([left.computed=false][left.property.name='warn'], [left.property.value='warn'])",
      "CallExpression[callee.object.name=/^(Object|Reflect)$/][callee.property.name=/^(defineProperty|defineProperties|assign|set)$/]:matches([arguments.0.name='console'], [arguments.0.property.name='console'], [arguments.0.property.value='console'])",
    ].join(', '),
    message:
      'Do not reassign console.warn: the registry functions of @tdhook/tfjs-internals patch kernels and gradients without a warning to silence.',
  },
];

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
    // Everywhere, tests and apps included, except the one package that owns the internals.
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    ignores: ['packages/tfjs-internals/**'],
    rules: {
      'no-restricted-syntax': ['error', ...forbiddenInternalsSyntax],
    },
  },
  {
    // Library sources: both rule sets (a later block's options replace an earlier one's for the same rule).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/backend/src/**', 'packages/testing/src/**', 'packages/tfjs-internals/**'],
    rules: {
      'no-restricted-imports': ['error', forbiddenRuntimeImports],
      'no-restricted-syntax': [
        'error',
        ...forbiddenInternalsSyntax,
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
