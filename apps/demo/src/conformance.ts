// Each captum / zennit reference result, recomputed through @tdhook/attribution's public API.
import { TensorDict, type Method } from '@tdhook/core';
import {
  gradCam,
  guidedBackprop,
  integratedGradients,
  lrp,
  saliency,
  type AttributionTarget,
  type IntegrationMethod,
  type LrpCompositeName,
} from '@tdhook/attribution';
import {
  compareCloseness,
  loadReferenceResults,
  referenceInput,
  referenceLayersModel,
  tensorFromSpec,
  type ReferenceModelName,
  type ReferenceResult,
} from '@tdhook/testing';

/** The reference set's stated tolerances: gradient methods and IG, and LRP (ill-conditioned ε-denominators). */
const gradientTolerance = { rtol: 1e-4, atol: 1e-6 };
const lrpTolerance = { rtol: 1e-3, atol: 1e-6 };

const composites: Readonly<Record<string, LrpCompositeName>> = {
  epsilon: 'epsilon',
  zplus: 'zPlus',
  alpha1beta0: 'alpha1beta0',
  EpsilonPlus: 'epsilonPlus',
  EpsilonAlpha2Beta1: 'epsilonAlpha2Beta1',
};

function targetOf(result: ReferenceResult): AttributionTarget {
  if (result.targetSpec === 'argmax') return { select: 'argmax' };
  const single = /^class(\d+)$/.exec(result.targetSpec)?.[1];
  return { select: single === undefined ? result.target : Number(single) };
}

/** The tdhook method and result key that reproduce one reference result. */
function methodFor(result: ReferenceResult): {
  method: Method;
  key: readonly [string, ...string[]];
} {
  const target = targetOf(result);
  const options = result.options;
  const input = ['attr', 'input'] as const;
  switch (result.method) {
    case 'Saliency':
      return { method: saliency({ target, absolute: options.abs === true }) as Method, key: input };
    case 'InputXGradient':
      return { method: saliency({ target, multiplyByInputs: true }) as Method, key: input };
    case 'IntegratedGradients':
      return {
        method: integratedGradients({
          target,
          steps: Number(options.n_steps),
          method: options.method as IntegrationMethod,
          baselines: 0,
        }) as Method,
        key: input,
      };
    case 'GuidedBackprop':
      return { method: guidedBackprop({ target }) as Method, key: input };
    case 'LayerGradCam': {
      const layer = String(options.layer);
      return {
        method: gradCam({
          target,
          layers: layer,
          relu: options.relu_attributions === true,
        }) as Method,
        key: ['attr', layer],
      };
    }
    case 'LRP': {
      const composite = composites[String(options.composite)];
      if (composite === undefined) throw new Error(`no composite for ${String(options.composite)}`);
      return { method: lrp({ target, composite }) as Method, key: input };
    }
    default:
      throw new Error(`the demo does not know ${result.method}`);
  }
}

/** One reference result checked: its method, target and the largest error against the reference. */
export interface ConformanceRow {
  readonly model: ReferenceModelName;
  readonly method: string;
  readonly id: string;
  readonly pass: boolean;
  readonly maxAbsoluteError: number;
}

/** Recomputes every reference result of a model; the model and inputs are built from the fixture. */
export function checkReferenceModel(name: ReferenceModelName): ConformanceRow[] {
  const model = referenceLayersModel(name);
  using data = new TensorDict({ input: referenceInput(name) }, { batchShape: [4] });
  try {
    return loadReferenceResults(name).results.map((result) => {
      const { method, key } = methodFor(result);
      const expected = tensorFromSpec(result.attributionTfjs);
      try {
        using prepared = method.prepare(model);
        using output = prepared.run(data);
        const tolerance = result.method === 'LRP' ? lrpTolerance : gradientTolerance;
        const report = compareCloseness(output.getTensor(key), expected, tolerance);
        return {
          model: name,
          method: result.method,
          id: result.id,
          pass: report.pass,
          maxAbsoluteError: report.maxAbsoluteError,
        };
      } finally {
        expected.dispose();
      }
    });
  } finally {
    model.dispose();
  }
}
