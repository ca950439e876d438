// LRP's open parts: a rule written by a third party against the public interface, composites as values
// (named, built, first-layer and path matchers), and the plan that lists which rule runs on which module.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ContractError, TensorDict, type ModelNode } from '@tdhook/core';

import {
  defineLrpComposite,
  defineLrpRule,
  lrp,
  lrpBaseEntries,
  lrpComposites,
  lrpRule,
  mapLrpRules,
  type LrpComposite,
  type LrpCompositeName,
  type LrpLinearPart,
  type LrpOptions,
  type LrpRule,
} from '../src/index.js';
import { referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

/** LRP-ε as a third party writes it: only the public rule interface (the layer's linear part, gradients). */
function userEpsilon(epsilon: number): LrpRule {
  return defineLrpRule({
    name: 'acme/epsilon',
    params: { epsilon },
    check: (layer) =>
      layer.linear === undefined ? `needs a linear layer, got a ${layer.kind} module` : undefined,
    relevance: ({ inputs, relevance, layer, gradients }) => {
      const linear = layer.linear as LrpLinearPart;
      const params = linear.parameters();
      const z = linear.apply(inputs, params);
      // zennit's stabiliser: z + ε·sign(z), sign(0) = +1.
      const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1);
      const share = tf.div(relevance, tf.add(z, tf.mul(sign, epsilon)));
      const transposed = gradients((...xs) => linear.apply(xs, params), inputs, share);
      return inputs.map((x, index) => tf.mul(x, transposed[index] as tf.Tensor));
    },
  });
}

function explain(
  model: ModelNode,
  name: 'mlp' | 'cnn',
  options: LrpOptions,
): { relevance: tf.Tensor; logits: tf.Tensor } {
  using prepared = lrp(options).prepare(model);
  using data = new TensorDict({ input: referenceInput(name) }, { batchShape: [4] });
  using result = prepared.run(data);
  return {
    relevance: tf.clone(result.getTensor(['attr', 'input'])),
    logits: tf.clone(result.getTensor(['output'])),
  };
}

const exactly = { rtol: 0, atol: 0 };

describe('a rule written against the public interface', () => {
  it.each([
    ['mlp', referenceMlp],
    ['cnn', referenceCnn],
  ] as const)('reproduces the built-in ε rule exactly on the reference %s', (name, build) => {
    const model = build();
    const mine = defineLrpComposite({
      name: 'acme/epsilon',
      entries: [...lrpBaseEntries(), { match: { kinds: ['convolution', 'dense'] }, rule: userEpsilon(1e-6) }],
    });
    for (const select of ['argmax', 3] as const) {
      const builtIn = explain(model, name, { composite: 'epsilon', target: { select } });
      const user = explain(model, name, { composite: mine, target: { select } });
      // Same ops in the same order: max abs difference 0, not just close.
      expect(user.relevance).toBeCloseToTensor(builtIn.relevance, exactly);
      // And through rules.types, as an override in front of a named composite.
      const typed = explain(model, name, {
        composite: 'epsilon',
        rules: { types: { dense: userEpsilon(1e-6), convolution: userEpsilon(1e-6) } },
        target: { select },
      });
      expect(typed.relevance).toBeCloseToTensor(builtIn.relevance, exactly);
      tf.dispose([
        builtIn.relevance,
        builtIn.logits,
        user.relevance,
        user.logits,
        typed.relevance,
        typed.logits,
      ]);
    }
    model.dispose();
  });

  it('is checked: its definition when defined, its fit when prepared, its result when run', () => {
    expect(() => defineLrpRule({ name: '', relevance: () => [] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'name',
    );
    expect(() => defineLrpRule({ name: 'x' } as never)).toThrowTdhookError('E_INVALID_VALUE', 'relevance');
    expect(() =>
      defineLrpRule({ name: 'x', relevance: () => [], params: { t: tf.scalar } as never }),
    ).toThrow(ContractError);
    const model = referenceMlp();
    expect(() => lrp({ rules: { paths: { relu1: userEpsilon(1e-6) } } }).prepare(model)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /needs a linear layer, got a activation module/,
    );
    const wrongShape = defineLrpRule({
      name: 'acme/wrong',
      relevance: ({ relevance }) => [tf.clone(relevance)],
    });
    using prepared = lrp({
      composite: 'epsilon',
      rules: { paths: { fc1: wrongShape } },
      target: { select: 3 },
    }).prepare(model);
    using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    expect(() => prepared.run(data)).toThrowTdhookError(
      'E_INVALID_VALUE',
      'The acme/wrong rule returned 1 value(s) [4,64] for 1 input(s) [4,16]',
    );
    model.dispose();
  });
});

describe('composites are values', () => {
  it.each(Object.keys(lrpComposites) as LrpCompositeName[])(
    "'%s' by name equals the composite object with the same ε and stabiliser",
    (name) => {
      const model = referenceCnn();
      const byName = explain(model, 'cnn', { composite: name, epsilon: 0.01, target: { select: 3 } });
      const composite = lrpComposites[name]({ epsilon: 0.01 });
      const byValue = explain(model, 'cnn', { composite, target: { select: 3 } });
      expect(byValue.relevance).toBeCloseToTensor(byName.relevance, exactly);
      tf.dispose([byName.relevance, byName.logits, byValue.relevance, byValue.logits]);
      model.dispose();
    },
  );

  it('maps a first-layer entry (zennit SpecialFirst), a path entry and a custom test', () => {
    const model = referenceCnn();
    const onlyRelu = ({ layer }: { layer: { className: string } }): boolean =>
      layer.className === 'Activation';
    const composite = defineLrpComposite({
      name: 'acme/flat-first',
      entries: [
        { match: { kinds: ['convolution', 'dense'], first: true }, rule: lrpRule.flat() },
        { match: { paths: ['fc'] }, rule: lrpRule.epsilon(0.25) },
        { match: { where: onlyRelu }, rule: lrpRule.pass() },
        ...lrpComposites.zPlus().entries,
      ],
    });
    expect(
      mapLrpRules(model, { composite }).map(({ path, rule, source }) => [
        path,
        rule?.name,
        rule?.params,
        source,
      ]),
    ).toEqual([
      ['conv1', 'flat', { stabilizer: 1e-6 }, 'composite'],
      ['relu1', 'pass', {}, 'composite'],
      ['pool1', 'ignore', {}, 'composite'],
      ['conv2', 'z-plus', { stabilizer: 1e-6 }, 'composite'],
      ['relu2', 'pass', {}, 'composite'],
      ['gap', 'norm', { stabilizer: 1e-6 }, 'composite'],
      ['fc', 'epsilon', { epsilon: 0.25 }, 'composite'],
    ]);
    // The same rules through path overrides give the same relevance.
    const viaComposite = explain(model, 'cnn', { composite, target: { select: 'argmax' } });
    const viaPaths = explain(model, 'cnn', {
      composite: 'zPlus',
      rules: { paths: { conv1: lrpRule.flat(), fc: lrpRule.epsilon(0.25) } },
      target: { select: 'argmax' },
    });
    expect(viaComposite.relevance).toBeCloseToTensor(viaPaths.relevance, exactly);
    tf.dispose([viaComposite.relevance, viaComposite.logits, viaPaths.relevance, viaPaths.logits]);
    // A custom test is a callback: descriptions need its id.
    expect(() => lrp({ composite }).describe()).toThrow(ContractError);
    expect(
      JSON.stringify(lrp({ composite }).describe({ callbackIds: new Map([[onlyRelu, 'only-relu']]) })),
    ).toContain('{"where":{"callback":"only-relu"}}');
    model.dispose();
  });

  it('refuses bad composites and ε options beside a composite object', () => {
    expect(() => lrp({ composite: 'nope' as 'epsilon' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Unknown composite',
    );
    expect(() =>
      lrp({ composite: { name: 'fake', entries: [] } as unknown as LrpComposite }),
    ).toThrowTdhookError('E_INVALID_VALUE', 'Unknown composite');
    expect(() => lrp({ composite: lrpComposites.epsilon(), epsilon: 0.1 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'lrpComposites.epsilonPlus({ epsilon: 0.01 })',
    );
    expect(() =>
      defineLrpComposite({
        name: 'x',
        entries: [{ match: { kind: ['dense'] } as never, rule: lrpRule.pass() }],
      }),
    ).toThrowTdhookError('E_INVALID_VALUE', 'Unknown match criterion "kind"');
    expect(() =>
      defineLrpComposite({ name: 'x', entries: [{ match: {}, rule: { rule: 'pass' } as never }] }),
    ).toThrowTdhookError('E_INVALID_VALUE', 'Expected an LRP rule');
  });
});

describe('the plan lists which rule runs on which module', () => {
  it('per module against the model, as a pattern without it', () => {
    const model = referenceMlp();
    const method = lrp({ composite: 'epsilonPlus', target: { select: 'argmax' } });
    const hooks = method.plan({}, model).hooks;
    const rule = (path: string, name: string, params: object): object => ({
      path,
      direction: 'forward',
      operation: 'lrp-rule',
      prepend: true,
      detail: { rule: name, params, source: 'composite' },
    });
    expect(hooks).toEqual([
      { path: '', direction: null, operation: 'lrp-claim' },
      rule('fc1', 'epsilon', { epsilon: 1e-6 }),
      rule('relu1', 'pass', {}),
      rule('fc2', 'epsilon', { epsilon: 1e-6 }),
      rule('relu2', 'pass', {}),
      rule('fc3', 'epsilon', { epsilon: 1e-6 }),
    ]);
    expect((method.describe({ model }) as { hooks: unknown }).hooks).toEqual(hooks);
    using prepared = method.prepare(model);
    expect(prepared.program).toEqual(hooks);
    const [claim, pattern] = method.plan().hooks;
    expect(claim).toEqual({ path: '', direction: null, operation: 'lrp-claim' });
    expect(pattern).toMatchObject({ path: '*', direction: 'forward', operation: 'lrp-rule', prepend: true });
    expect(pattern?.detail?.composite).toBe('epsilonPlus');
    model.dispose();
  });
});
