// Intervention chains: n replace operations at n layers of a deep ReLU MLP in one forward pass, through
// HookSession (capture/replace by target) or written inline in plain TF.js. `tdhook` and `plain` define their
// interventions inside the measured call, as a user does for each experiment; `tdhook-prepared` sets the
// session up once and runs it many times.
import * as tf from '@tensorflow/tfjs-core';
import { HookSession, Module, ModuleList, type Captured } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { Dense, denseOp } from './transformer.js';

/**
 * A grid point of {@link interventionChains}: how many replace operations, on how many samples.
 *
 * @example
 * const point: InterventionChainParams = { operations: 25, batch: 64 };
 */
export type InterventionChainParams = {
  readonly operations: 5 | 10 | 25 | 50;
  readonly batch: number;
};

// Fixed model size: the forward costs the same at every point, so the ratio shows what the operations cost.
const depth = 50;
const width = 128;
const classes = 10;

/** One replace: unit `unit` of layer `layer`'s output becomes a constant or a unit captured earlier. */
interface ChainOperation {
  readonly layer: number;
  readonly unit: number;
  readonly value: number | { readonly layer: number; readonly unit: number };
}

// Spread over the depth; even operations set a constant, odd ones copy a unit of the previous operation's
// layer (taken after that layer's own replacement), so the chain links layers as patching experiments do.
function chainOperations(count: number): ChainOperation[] {
  const operations: ChainOperation[] = [];
  for (let index = 0; index < count; index++) {
    const layer = Math.floor((index * depth) / count);
    const unit = (17 * index + 3) % width;
    const previous = operations[index - 1];
    operations.push({
      layer,
      unit,
      value:
        index % 2 === 0 || previous === undefined
          ? 1 + (index % 3) * 0.5
          : { layer: previous.layer, unit: (previous.unit + 1) % width },
    });
  }
  return operations;
}

class ChainMlp extends Module {
  readonly layers: ModuleList<Dense>;
  readonly head: Dense;

  constructor() {
    super();
    const layers = Array.from({ length: depth }, (_, index) => new Dense(width, width, 1 + index, 'relu'));
    this.layers = this.registerModule('layers', new ModuleList(layers));
    this.head = this.registerModule('head', new Dense(width, classes, 1 + depth));
  }

  forward(x: tf.Tensor): tf.Tensor {
    let hidden = x;
    for (const layer of this.layers.items) hidden = layer.call(hidden);
    return this.head.call(hidden);
  }
}

function build(batch: number): { model: ChainMlp; x: tf.Tensor; dispose: () => void } {
  const model = new ChainMlp();
  const x = tf.randomNormal([batch, width], 0, 1, 'float32', 7);
  return {
    model,
    x,
    dispose: () => {
      model.dispose();
      x.dispose();
    },
  };
}

/**
 * Opens a session on `model` with the chain's captures and replaces installed; `close` removes them and
 * frees the captured units. What both tdhook variants do, inside the measured call or once at setup.
 */
function openChain(
  model: ChainMlp,
  chain: readonly ChainOperation[],
): { session: HookSession; close: () => void } {
  const session = new HookSession(model);
  const sources: Captured[] = [];
  const close = (): void => {
    session.close();
    for (const source of sources) source.dispose();
  };
  try {
    for (const { layer, unit, value } of chain) {
      const target = { path: `layers[${layer}]`, indices: [unit] };
      if (typeof value === 'number') {
        session.replace(target, value);
        continue;
      }
      const source = session.capture({ path: `layers[${value.layer}]`, indices: [value.unit] });
      sources.push(source);
      session.replace(target, () => {
        if (source.value === undefined) throw new Error(`layers[${value.layer}] did not run`);
        return source.value;
      });
    }
  } catch (error) {
    close();
    throw error;
  }
  return { session, close };
}

function runChain(session: HookSession, model: ChainMlp, x: tf.Tensor): tf.Tensor {
  const result = session.run(() => tf.tidy(() => model.call(x)));
  if (result.stopped) throw new Error('The forward pass stopped early');
  return result.value;
}

function setupTdhook({ operations, batch }: InterventionChainParams): PreparedVariant {
  const { model, x, dispose } = build(batch);
  const chain = chainOperations(operations);
  const run = (): tf.Tensor => {
    const { session, close } = openChain(model, chain);
    try {
      return runChain(session, model, x);
    } finally {
      close();
    }
  };
  return { run, dispose };
}

function setupPrepared({ operations, batch }: InterventionChainParams): PreparedVariant {
  const { model, x, dispose } = build(batch);
  const { session, close } = openChain(model, chainOperations(operations));
  return {
    run: () => runChain(session, model, x),
    dispose: () => {
      close();
      dispose();
    },
  };
}

// Sets one column of `hidden` ([batch, width]) to `value` (a scalar or [batch, 1]) with a one-hot mask:
// exact, since every other unit is multiplied by one and added to zero.
function replaceColumn(hidden: tf.Tensor, unit: number, value: tf.Tensor): tf.Tensor {
  // Cast afterwards: the wasm OneHot kernel of tfjs 4.22 ignores dtype 'float32' and writes integer bits.
  const mask = tf.cast(tf.oneHot(tf.tensor1d([unit], 'int32'), width), 'float32');
  return tf.add(tf.mul(hidden, tf.sub(1, mask)), tf.mul(value, mask));
}

function setupPlain({ operations, batch }: InterventionChainParams): PreparedVariant {
  const { model, x, dispose } = build(batch);
  const chain = chainOperations(operations);
  const run = (): tf.Tensor =>
    tf.tidy(() => {
      const saved = new Map<string, tf.Tensor>();
      let hidden = x;
      model.layers.items.forEach((layer, index) => {
        hidden = tf.relu(denseOp(hidden, layer.kernel, layer.bias));
        for (const { layer: at, unit, value } of chain) {
          if (at !== index) continue;
          const replacement =
            typeof value === 'number' ? tf.scalar(value) : saved.get(`${value.layer}:${value.unit}`);
          if (replacement === undefined) throw new Error(`No saved unit before layer ${index}`);
          hidden = replaceColumn(hidden, unit, replacement);
        }
        // Saved after this layer's replacement, as the session's capture (added after it) sees it.
        for (const { value } of chain) {
          if (typeof value !== 'number' && value.layer === index) {
            saved.set(`${index}:${value.unit}`, tf.slice(hidden, [0, value.unit], [-1, 1]));
          }
        }
      });
      return denseOp(hidden, model.head.kernel, model.head.bias);
    });
  return { run, dispose };
}

/**
 * Intervention chains: 5–50 replace operations in one forward pass of a 50-layer ReLU MLP (width 128), half
 * setting a unit to a constant, half copying a unit captured at an earlier layer. `tdhook` opens a
 * {@link HookSession}, adds the captures and replaces, runs and closes inside the measured call;
 * `tdhook-prepared` sets the session up once and the measured call is its `run` (a prepared, reusable
 * intervention); `plain` applies the same replacements inline with one-hot masks.
 *
 * @example
 * const suite: Suite = [interventionChains];
 */
export const interventionChains: Scenario<InterventionChainParams> = defineScenario<InterventionChainParams>({
  id: 'intervention-chains',
  title: 'Intervention chains: replace operations in one run',
  description:
    'n replace operations (half constants, half units captured at an earlier layer) at n of the 50 layers of a ReLU MLP (width 128) in one forward pass: HookSession capture/replace/run/close inside the measured call (tdhook), the same session set up once and only run in the call (tdhook-prepared: a prepared, reusable intervention), vs the same replacements written inline in TF.js (plain). 100 warm-up calls: the steady state of an intervention run many times.',
  grid: {
    quick: [
      { operations: 5, batch: 1 },
      { operations: 50, batch: 1 },
    ],
    full: ([5, 10, 25, 50] as const).flatMap((operations) => [1, 64].map((batch) => ({ operations, batch }))),
  },
  baseline: 'plain',
  variants: { tdhook: setupTdhook, 'tdhook-prepared': setupPrepared, plain: setupPlain },
  // Calls of a few ms: the first ~50 run while V8 still compiles the hooks' and the inline code's JS (1.5–3×
  // slower), so both variants warm up that long and the measured calls are the steady state of an
  // intervention run many times.
  repetitions: { quick: { warmup: 50, runs: 30 }, full: { warmup: 100, runs: 100 } },
});
