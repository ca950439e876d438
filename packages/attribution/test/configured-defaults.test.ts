// Each default is written once, in the method's configure: the configured options (and describe()) show it,
// and the runners read it from there.
import { describe, expect, it } from 'vitest';

import {
  activationMaximisation,
  gradCam,
  guidedBackprop,
  lrp,
  noiseTunnel,
  saliency,
  type ConfiguredGuidedBackpropOptions,
  type ConfiguredLrpOptions,
} from '../src/index.js';

describe('configure fills in every default', () => {
  it('saliency', () => {
    expect(saliency({}).options).toMatchObject({ absolute: false, multiplyByInputs: false });
    expect(saliency({ absolute: true }).describe()).toMatchObject({
      options: { absolute: true, multiplyByInputs: false },
    });
  });

  it('Grad-CAM', () => {
    expect(gradCam({ layers: 'conv2' }).options).toMatchObject({
      channelAxis: -1,
      relu: false,
      upsample: false,
    });
  });

  it('the noise tunnel, also for an option given as undefined (plain JavaScript)', () => {
    const method = saliency({ target: { select: 3 } });
    expect(noiseTunnel(method).options).toMatchObject({
      samples: 10,
      stdev: 1,
      kind: 'smoothgrad',
      samplesPerPass: 11,
    });
    const fromJavaScript = { samples: undefined, samplesPerPass: 4 } as unknown as { samplesPerPass: number };
    expect(noiseTunnel(method, fromJavaScript).options).toMatchObject({
      samples: 10,
      samplesPerPass: 4,
    });
    expect(noiseTunnel(method, { samples: 4 }).requirements.modelPasses).toBe(1);
    expect(noiseTunnel(method, { samples: 4, samplesPerPass: 2 }).requirements.modelPasses).toBe(3);
  });

  it('activation maximisation, leaving min and max unbounded', () => {
    const method = activationMaximisation({ modules: ['fc2'] });
    expect(method.options).toMatchObject({
      select: 'sum',
      alpha: 0.1,
      steps: 10,
      useSign: false,
      attributionKey: 'attr',
    });
    expect(method.options).not.toHaveProperty('min');
    expect(method.options).not.toHaveProperty('max');
    expect(method.requirements.modelPasses).toBe(10);
  });

  it('guided backprop', () => {
    const configured: ConfiguredGuidedBackpropOptions = guidedBackprop({ target: { select: 3 } }).options;
    expect(configured.multiplyByInputs).toBe(false);
    expect(guidedBackprop({ multiplyByInputs: true }).describe()).toMatchObject({
      options: { multiplyByInputs: true },
    });
    expect(() => guidedBackprop({ multiplyByInputs: 'yes' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /multiplyByInputs must be a boolean/,
    );
  });

  it('LRP: the missing-rule warning and the conservation tolerances; onWarning stays a callback the user gives', () => {
    const configured: ConfiguredLrpOptions = lrp({ composite: 'epsilon' }).options;
    expect(configured.warnOnMissingRule).toBe(true);
    expect(configured).not.toHaveProperty('checkConservation'); // off unless asked for
    expect(configured).not.toHaveProperty('onWarning'); // a callback: describe() could not show a default
    expect(lrp({ composite: 'epsilon', checkConservation: {} }).describe()).toMatchObject({
      options: { warnOnMissingRule: true, checkConservation: { rtol: 1e-4, atol: 1e-6 } },
    });
    expect(
      lrp({ composite: 'epsilon', checkConservation: { rtol: 1e-3 } }).options.checkConservation,
    ).toEqual({
      rtol: 1e-3,
      atol: 1e-6,
    });
    expect(() => lrp({ composite: 'epsilon', warnOnMissingRule: 'no' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /warnOnMissingRule must be a boolean/,
    );
  });
});
