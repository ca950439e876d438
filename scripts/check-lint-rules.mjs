// Guards the import rules themselves: lints small snippets as if they sat in packages' sources and checks
// that the runtime-choosing imports are rejected in library packages and allowed where they belong.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// Type information is not needed for these rules, and the snippets are not in any tsconfig.
const eslint = new ESLint({
  overrideConfig: [
    tseslint.configs.disableTypeChecked,
    { languageOptions: { parserOptions: { project: false } } },
  ],
});

const forbidden = [
  ["import * as tf from '@tensorflow/tfjs';", 'no-restricted-imports'],
  ["import '@tensorflow/tfjs-backend-wasm';", 'no-restricted-imports'],
  ["import '@tensorflow/tfjs-node-gpu';", 'no-restricted-imports'],
  ["export const load = () => import('@tensorflow/tfjs-node');", 'no-restricted-syntax'],
  [
    "import * as tf from '@tensorflow/tfjs-core';\nexport const use = () => tf.setBackend('cpu');",
    'no-restricted-syntax',
  ],
  ['export default 1;', 'no-restricted-exports'],
];
const failures = [];
for (const [code, rule] of forbidden) {
  const [result] = await eslint.lintText(code, { filePath: 'packages/core/src/lint-rule-check.ts' });
  if (!result?.messages.some((m) => m.ruleId === rule))
    failures.push(`not rejected by ${rule} in packages/core/src: ${code}`);
}
for (const filePath of [
  'packages/backend/src/lint-rule-check.ts',
  'packages/testing/src/lint-rule-check.ts',
]) {
  const [result] = await eslint.lintText("import '@tensorflow/tfjs-backend-wasm';\n", { filePath });
  const restricted = result?.messages.filter((m) => m.ruleId === 'no-restricted-imports') ?? [];
  if (restricted.length > 0) failures.push(`${filePath}: backend imports must be allowed here`);
}
if (failures.length > 0) {
  console.error(`lint rule check failed:\n- ${failures.join('\n- ')}`);
  process.exitCode = 1;
} else {
  console.log(
    `lint rules: ${forbidden.length} forbidden patterns rejected in library sources, allowed in backend and testing`,
  );
}
