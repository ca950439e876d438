import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { HookError, InvalidValueError, TdhookError } from '../errors.js';
import { Lambda, Sequential } from '../modules/containers.js';
import { Module } from '../modules/module.js';
import { EarlyStop, runStoppable } from './early-stop.js';
import { withGradientCleanup } from './gradient-cleanup.js';
import { HookHandle } from './hook-handle.js';
import { hookCounts } from './hook-state.js';
import { registerHook, stopAfter } from './register-hook.js';
import { registerMatchingHooks } from './register-matching-hooks.js';

/** y = x·w (w a scalar weight), so every number below is easy to check by hand. */
class Scale extends Module {
  readonly w: tf.Variable;
  constructor(w: number) {
    super();
    this.w = this.registerParameter('w', tf.scalar(w));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.w);
  }
}

/** linear1 (×2) → ReLU → linear2 (×3) → linear3 (×5): y = 30·relu(x). */
function smallNet(): Sequential {
  return new Sequential({
    linear1: new Scale(2),
    relu: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear2: new Scale(3),
    linear3: new Scale(5),
  });
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('forward hooks', () => {
  it('replace an output, and removing the handle restores the model exactly', () => {
    const net = smallNet();
    const x = tf.tensor1d([-1, 0.5, 2]);
    const before = tf.tidy(() => net.call(x));
    const handle = registerHook(net, 'linear1', 'forward', (output) => tf.add(output as tf.Tensor, 1));
    const hooked = tf.tidy(() => net.call(x));
    expect(values(hooked)).toEqual([0, 30, 75]); // linear1 now gives 2x+1, so y = 15·relu(2x+1)
    handle.remove();
    const after = tf.tidy(() => net.call(x));
    expect(values(after)).toEqual(values(before));
    expect(Object.getOwnPropertyNames(net.namedChildren()[0]?.[1])).not.toContain('forward');
    tf.dispose([x, before, hooked, after]);
    net.dispose();
  });

  it('run in registration order, and prepend puts a hook first', () => {
    const net = smallNet();
    const x = tf.tensor1d([1]);
    const order: string[] = [];
    const a = registerHook(net, 'linear2', 'forward', () => void order.push('a'));
    const b = registerHook(net, 'linear2', 'forward', () => void order.push('b'));
    const c = registerHook(net, 'linear2', 'forward', () => void order.push('c'), { prepend: true });
    tf.dispose(tf.tidy(() => net.call(x)));
    expect(order).toEqual(['c', 'a', 'b']);
    HookHandle.combine(a, b, c).remove();
    x.dispose();
    net.dispose();
  });

  it('forward-pre hooks replace the inputs', () => {
    const net = smallNet();
    const x = tf.tensor1d([1, 2]);
    using _ = registerHook(net, 'linear2', 'forward-pre', ([input]) => [tf.neg(input as tf.Tensor)]);
    const y = tf.tidy(() => net.call(x));
    expect(values(y)).toEqual([-30, -60]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('reject a replacement of another shape or type with a HookError, and leave the model usable', () => {
    const net = smallNet();
    const x = tf.tensor1d([1, 2]);
    const wrongShape = registerHook(net, 'linear1', 'forward', () => tf.zeros([3]));
    expect(() => tf.tidy(() => net.call(x))).toThrow(
      /A forward hook returned float32\[3\] for an output float32\[2\] \(at module 'linear1' \(Scale\)\)/,
    );
    wrongShape.remove();
    const wrongType = registerHook(net, 'linear1', 'forward', () => 'nope');
    expect(() => tf.tidy(() => net.call(x))).toThrow(HookError);
    wrongType.remove();
    const badArgs = registerHook(net, 'linear1', 'forward-pre', () => 'nope' as unknown as unknown[]);
    expect(() => tf.tidy(() => net.call(x))).toThrow(/forward-pre hook returned string/);
    badArgs.remove();
    const y = tf.tidy(() => net.call(x));
    expect(values(y)).toEqual([30, 60]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('wrap an exception thrown by a hook in a HookError with the cause', () => {
    const net = smallNet();
    const x = tf.tensor1d([1]);
    const boom = new Error('boom');
    using _ = registerHook(net, 'relu', 'forward', () => {
      throw boom;
    });
    try {
      tf.tidy(() => net.call(x));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HookError);
      expect(TdhookError.is(error) && error.code).toBe('E_HOOK');
      expect((error as Error).message).toContain("A forward hook threw: boom (at module 'relu')");
      expect((error as Error).cause).toBe(boom);
    }
    x.dispose();
    net.dispose();
  });

  it('accept only functions', () => {
    const net = smallNet();
    expect(() => registerHook(net, 'relu', 'forward', 3 as never)).toThrow(/must be a function/);
    expect(hookCounts(net.namedChildren()[1]?.[1] ?? net).forward).toBe(0);
    net.dispose();
  });
});

describe('gradient hooks', () => {
  it('backward-pre sees the gradient w.r.t. the output and backward the gradient w.r.t. the input', () => {
    const net = smallNet();
    const x = tf.tensor1d([-1, 2]);
    const seen: Record<string, number[]> = {};
    using _a = registerHook(
      net,
      'linear2',
      'backward-pre',
      (g, { index }) => void (seen[`pre${index}`] = values(g)),
    );
    using _b = registerHook(net, 'linear2', 'backward', (g) => void (seen.input = values(g)));
    const dx = tf.grad((input: tf.Tensor) => tf.sum(net.call(input)))(x);
    expect(seen.pre0).toEqual([5, 5]); // d(5·y2)/dy2
    expect(seen.input).toEqual([15, 15]); // d(15·h)/dh
    expect(values(dx)).toEqual([0, 30]);
    tf.dispose([x, dx]);
    net.dispose();
  });

  it('replace gradients inside tf.grad, tf.grads and tf.variableGrads', () => {
    const net = smallNet();
    const x = tf.tensor1d([1, 2]);
    using _ = registerHook(net, 'linear3', 'backward-pre', (g) => tf.mul(g, 0.5));
    const dx = tf.grad((input: tf.Tensor) => tf.sum(net.call(input)))(x);
    expect(values(dx)).toEqual([15, 15]);
    const [dx2] = tf.grads((input: tf.Tensor) => tf.sum(net.call(input)))([x]);
    expect(values(dx2 ?? x)).toEqual([15, 15]);
    const { value, grads } = tf.variableGrads(() => tf.sum<tf.Scalar>(net.call(x)));
    expect(values(value)).toEqual([90]);
    // d/dw of linear3 (w=5): output of linear2 is 6x → Σ 6x · 0.5 = 9
    const linear3 = net.namedChildren()[3]?.[1] as Scale;
    expect(values(grads[linear3.w.name] ?? x)).toEqual([9]);
    tf.dispose([x, dx, dx2, value, ...Object.values(grads)]);
    net.dispose();
  });

  it('reject a gradient of the wrong shape', () => {
    const net = smallNet();
    const x = tf.tensor1d([1, 2]);
    using _ = registerHook(net, 'linear3', 'backward-pre', () => tf.zeros([5]));
    // tfjs leaves its gradient tape behind when backpropagation throws; withGradientCleanup releases it.
    expect(() =>
      tf.tidy(() => withGradientCleanup(() => tf.grad((input: tf.Tensor) => tf.sum(net.call(input)))(x))),
    ).toThrow(/backward-pre hook returned float32\[5\] for a gradient float32\[2\]/);
    x.dispose();
    net.dispose();
  });
});

describe('handles', () => {
  it('are idempotent, combinable, and work with using', () => {
    const net = smallNet();
    const node = net.namedChildren()[0]?.[1] ?? net;
    const first = registerHook(net, 'linear1', 'forward', () => undefined);
    const second = registerHook(net, 'linear1', 'forward-pre', () => undefined);
    const both = HookHandle.combine(first, second);
    expect(hookCounts(node)).toEqual({ 'forward-pre': 1, forward: 1, 'backward-pre': 0, backward: 0 });
    both.remove();
    both.remove();
    expect(first.removed && second.removed).toBe(true);
    expect(hookCounts(node).forward).toBe(0);
    {
      using _ = registerHook(net, 'linear1', 'forward', () => undefined);
      expect(hookCounts(node).forward).toBe(1);
    }
    expect(hookCounts(node).forward).toBe(0);
    expect(() => HookHandle.combine(first, 123 as never)).toThrow(InvalidValueError);
    new HookHandle().remove(); // an empty handle is a no-op
    net.dispose();
  });
});

describe('early stop', () => {
  it('ends the forward pass after a module; later modules never run', () => {
    const net = smallNet();
    const x = tf.tensor1d([1]);
    let linear3Ran = false;
    using _spy = registerHook(net, 'linear3', 'forward-pre', () => {
      linear3Ran = true;
      return undefined;
    });
    using _stop = stopAfter(net, 'linear2');
    const result = tf.tidy(() => runStoppable(() => net.call(x)));
    expect(result).toEqual({ stopped: true, path: 'linear2' });
    expect(linear3Ran).toBe(false);
    expect(() => tf.tidy(() => net.call(x))).toThrow(EarlyStop);
    x.dispose();
    net.dispose();
  });
});

describe('matching hooks', () => {
  it('hook every module whose path matches, and one handle removes them all', () => {
    const net = smallNet();
    const x = tf.tensor1d([1]);
    const seen: string[] = [];
    const handle = registerMatchingHooks(net, {
      pattern: /^linear\d+$/g,
      direction: 'forward',
      hook: (path) => () => void seen.push(path),
    });
    tf.dispose(tf.tidy(() => [net.call(x), net.call(x)]));
    expect(seen).toEqual(['linear1', 'linear2', 'linear3', 'linear1', 'linear2', 'linear3']);
    handle.remove();
    tf.dispose(tf.tidy(() => net.call(x)));
    expect(seen).toHaveLength(6);
    const none = registerMatchingHooks(net, {
      pattern: /a^/,
      direction: 'forward',
      hook: () => () => undefined,
    });
    expect(net.namedChildren().every(([, child]) => hookCounts(child).forward === 0)).toBe(true);
    none.remove();
    x.dispose();
    net.dispose();
  });

  it('install nothing when a hook factory throws midway', () => {
    const net = smallNet();
    expect(() =>
      registerMatchingHooks(net, {
        pattern: /linear/,
        direction: 'forward',
        hook: (path) => {
          if (path === 'linear2') throw new Error('factory failed');
          return () => undefined;
        },
      }),
    ).toThrow('factory failed');
    expect(net.namedChildren().every(([, child]) => hookCounts(child).forward === 0)).toBe(true);
    net.dispose();
  });
});

describe('Layers models', () => {
  it('hook a layer of a functional model with two inputs and two outputs, on the instance only', () => {
    const left = tfl.input({ shape: [2], name: 'left' });
    const right = tfl.input({ shape: [2], name: 'right' });
    const sum = tfl.layers.add({ name: 'sum' }).apply([left, right]) as tfl.SymbolicTensor;
    const scaled = tfl.layers
      .dense({ units: 1, useBias: false, kernelInitializer: 'ones', name: 'total' })
      .apply(sum) as tfl.SymbolicTensor;
    const diff = tfl.layers
      .dense({ units: 2, useBias: false, kernelInitializer: 'identity', name: 'copy' })
      .apply(left) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [left, right], outputs: [scaled, diff] });
    const a = tf.tensor2d([[1, 2]]);
    const b = tf.tensor2d([[3, 4]]);
    const total = model.getLayer('total');
    const prototypeOf = (layer: object): { call: unknown } =>
      Object.getPrototypeOf(layer) as { call: unknown };
    const prototypeCall = prototypeOf(total).call;

    using _ = registerHook(model, 'sum', 'forward', (output) => tf.mul(output as tf.Tensor, 10));
    const [y1, y2] = tf.tidy(() => model.apply([a, b]) as tf.Tensor[]);
    expect(values(y1 ?? a)).toEqual([100]); // (1+3 + 2+4)·10
    expect(values(y2 ?? a)).toEqual([1, 2]);
    // predict() runs the same layers, so hooks apply there too
    const predicted = tf.tidy(() => (model.predict([a, b]) as tf.Tensor[])[0] ?? a);
    expect(values(predicted)).toEqual([100]);
    expect(prototypeOf(total).call).toBe(prototypeCall);
    tf.dispose([a, b, y1, y2, predicted]);
    model.dispose();
  });

  it('run root hooks when the model is called through apply, as KeyedModel does, but not through predict', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 1,
          inputShape: [1],
          useBias: false,
          kernelInitializer: 'ones',
          name: 'only',
        }),
      ],
    });
    const x = tf.tensor2d([[2]]);
    let rootCalls = 0;
    using _root = registerHook(model, '', 'forward', () => {
      rootCalls++;
    });
    tf.dispose(tf.tidy(() => model.apply(x) as tf.Tensor));
    tf.dispose(tf.tidy(() => model.predict(x) as tf.Tensor));
    expect(rootCalls).toBe(1);
    x.dispose();
    model.dispose();
  });

  it('reach layers of a nested model and layers by position', () => {
    const inner = tfl.sequential({
      name: 'inner',
      layers: [
        tfl.layers.dense({
          units: 2,
          inputShape: [2],
          useBias: false,
          kernelInitializer: 'identity',
          name: 'innerDense',
        }),
      ],
    });
    const outer = tfl.sequential({
      layers: [
        inner,
        tfl.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones', name: 'head' }),
      ],
    });
    const x = tf.tensor2d([[1, 2]]);
    using _ = registerHook(outer, 'inner.innerDense', 'forward', (output) => tf.neg(output as tf.Tensor));
    using _head = registerHook(outer, '[-1]', 'forward', (output) => tf.add(output as tf.Tensor, 100));
    const y = tf.tidy(() => outer.apply(x) as tf.Tensor);
    expect(values(y)).toEqual([97]);
    tf.dispose([x, y]);
    outer.dispose();
  });

  it('hook a custom layer', () => {
    class Double extends tfl.layers.Layer {
      static readonly className = 'Double';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        return tf.mul(x ?? tf.scalar(0), 2);
      }
      override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
        return shape;
      }
      override getClassName(): string {
        return 'Double';
      }
    }
    const model = tfl.sequential({ layers: [new Double({ name: 'double', inputShape: [2] })] });
    const x = tf.tensor2d([[1, 2]]);
    using _ = registerHook(model, 'double', 'forward-pre', ([input]) => [tf.add(input as tf.Tensor, 1)]);
    const y = tf.tidy(() => model.apply(x) as tf.Tensor);
    expect(values(y)).toEqual([4, 6]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
