// The setup file every @tdhook test process runs (see vitest-project.ts): picks the project's backend,
// registers the tensor matchers and puts a tensor-leak guard around every test.
import { afterEach, beforeEach, expect, inject } from 'vitest';

import '@tdhook/testing/register-gradients';
import { useTestBackend } from './backends.js';
import { createLeakGuard } from './leak-guard.js';
import { toBeCloseToTensor, toThrowTdhookError } from './matchers.js';

await useTestBackend(inject('tdhookBackend'));

expect.extend({ toBeCloseToTensor, toThrowTdhookError });

const guard = createLeakGuard();
// Registered before any test file's hooks, so the check runs after the file's own afterEach clean-up.
beforeEach(() => {
  guard.start();
});
afterEach((context) => {
  guard.check(context.task.name);
});
