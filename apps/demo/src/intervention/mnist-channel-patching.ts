// Activation patching on the MNIST CNN: each conv2 channel in turn copied from a 4 into a 9 (unitSites +
// activationPatchingGrid, one batched call), measured as the change of logit(4) − logit(9); then the strongest
// channel, the strongest 4 and the strongest 8 together (activationPatching) with every class's logit.
import { imagesToTensor, loadModel, readImage } from '@tdhook/adapter-cv';
import { KeyedModel, TensorDict, type Key, type Target } from '@tdhook/core';
import { digitPaths, mnistCnnDir } from '@tdhook/cv-assets';
import {
  activationPatching,
  activationPatchingGrid,
  LabelledGrid,
  logitDifference,
  unitSites,
} from '@tdhook/intervention';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** The digits: the source of the patch and the image that receives it. */
export const digitPair = { source: 4, receiver: 9 } as const;
const channels = 16;

/** The grid's effects and the logits of the receiving image under three patches. */
export interface ChannelPatching {
  /** Per conv2 channel: patched − unpatched logit(source) − logit(receiver) on the receiving image. */
  readonly effects: LabelledGrid;
  readonly baseline: number;
  readonly source: number;
  /** Channels by effect, strongest first. */
  readonly ranking: readonly number[];
  /**
   * All 10 logits: the receiver unpatched, with its strongest 1, 4 and 8 channels patched, and the source's
   * (the same as all 16 patched: nothing after conv2 sees the input).
   */
  readonly logits: {
    readonly receiver: readonly number[];
    readonly patched: readonly (readonly [channels: number, logits: readonly number[]])[];
    readonly source: readonly number[];
  };
}

const row = (data: TensorDict, key: Key): number[] => Array.from(data.getTensor(key).dataSync());

/** Patches `modules` from the source digit into the receiver: the receiver's logits afterwards. */
function patchedLogits(
  model: LayersModel,
  data: TensorDict,
  modules: readonly (string | Target)[],
): number[] {
  using prepared = activationPatching({ modules }).prepare(model);
  using result = prepared.run(data);
  return row(result, ['patched', 'output']);
}

/** Runs the channel grid and the two single patches on the repository's test 4 and 9. */
export async function patchMnistChannels(): Promise<ChannelPatching> {
  const { model } = await loadModel(mnistCnnDir);
  const layers = model as LayersModel;
  const source = await readImage(digitPaths[digitPair.source] ?? '');
  const receiver = await readImage(digitPaths[digitPair.receiver] ?? '');
  try {
    using data = new TensorDict(
      {
        input: imagesToTensor([source], { channels: 1, normalisation: 'unit' }),
        patched: { input: imagesToTensor([receiver], { channels: 1, normalisation: 'unit' }) },
      },
      { batchShape: [1] },
    );
    const sites = unitSites({
      path: 'conv2',
      axis: -1,
      indices: Array.from({ length: channels }, (_, channel) => channel),
      name: 'channel',
    });
    const metric = logitDifference({ answer: digitPair.source, versus: digitPair.receiver });
    let effects: LabelledGrid;
    let baseline: number;
    let sourceMetric: number;
    {
      using prepared = activationPatchingGrid({ sites, metric }).prepare(layers);
      using result = prepared.run(data);
      effects = LabelledGrid.fromSamples(result.getTensor(['patching', 'effect']), sites);
      baseline = row(result, ['patching', 'baseline_metric'])[0] ?? Number.NaN;
      sourceMetric = row(result, ['patching', 'source_metric'])[0] ?? Number.NaN;
    }
    const ranking = Array.from(effects.values.keys()).sort(
      (a, b) => (effects.values[b] ?? 0) - (effects.values[a] ?? 0),
    );
    const keyed = new KeyedModel(layers);
    using plain = keyed.run(data);
    using receiverOnly = keyed.run(data.getDict('patched'));
    return {
      effects,
      baseline,
      source: sourceMetric,
      ranking,
      logits: {
        receiver: row(receiverOnly, ['output']),
        patched: [1, 4, 8].map(
          (count) =>
            [
              count,
              patchedLogits(layers, data, [{ path: 'conv2', indices: ranking.slice(0, count) }]),
            ] as const,
        ),
        source: row(plain, ['output']),
      },
    };
  } finally {
    layers.dispose();
  }
}
