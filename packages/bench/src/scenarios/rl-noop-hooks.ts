// A method that only installs forward hooks that do nothing: what the rl-rollout-hooks scenario uses to time
// the hooks themselves (installed once per rollout, called at every module call), apart from what a method
// does in them.
import type { MethodFactory } from '@tdhook/core';
import { defineMethod } from '@tdhook/core/plugin';

/**
 * Options of {@link noopHooks}: the module paths that get a hook.
 *
 * @example
 * const options: NoopHooksOptions = { paths: ['actor.0', 'critic.0'] };
 */
export interface NoopHooksOptions {
  readonly paths: readonly string[];
}

/**
 * A forward hook that returns nothing on each of `paths`; running it is running the model.
 *
 * @example
 * const workflow = new Workflow([noopHooks({ paths: ['actor.0'] })]);
 */
export const noopHooks: MethodFactory<NoopHooksOptions> = /* @__PURE__ */ defineMethod<NoopHooksOptions>({
  contract: 'tdhook.method/1',
  id: 'bench/noop-hooks',
  summary: 'Forward hooks that do nothing (for timing hooks)',
  requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
  plan: ({ paths }, model) => ({
    hooks: paths.map((path) => ({ path, direction: 'forward' as const, operation: 'observe' })),
    inKeys: model.inKeys,
    outKeys: [],
  }),
  bind: ({ paths }, context) => {
    for (const path of paths)
      context.hook({ path, direction: 'forward', operation: 'observe' }, () => undefined);
    return { run: (data) => context.model.run(data) };
  },
});
