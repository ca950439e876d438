import { InvalidValueError, toKeyPath, type JsonValue, type Key, type TensorDict } from '@tdhook/core';
import { joinKeys } from '@tdhook/core/plugin';

import type { OutputGradientFromData } from '../gradient-method.js';
import { checkAxisOption } from './checks.js';
import { conceptChannelGradient } from './channel-gradient.js';
import { readConceptSelection } from './read-selection.js';
import { defaultConceptSelectionKey } from './selection-key.js';

/**
 * Options of {@link selectedChannelGradient}.
 *
 * @example
 * const options: SelectedChannelGradientOptions = { selectionKey: ['metrics', 'loops'], channelAxis: -1 };
 */
export interface SelectedChannelGradientOptions {
  /** Where {@link conceptSelection} wrote the selection (its `outKey`). Default `['metrics', 'concept_selection']`. */
  readonly selectionKey?: Key;
  /** The channel axis of the module output; negative counts from the end. Default `-1` (TF.js channels last). */
  readonly channelAxis?: number;
}

const where = 'attribution/selectedChannelGradient';

/**
 * {@link conceptChannelGradient} for the channel a {@link conceptSelection} step selected, read from the run's
 * data when the run starts: the second half of the CRP pipeline in one Workflow. Put it in `outputGradients`;
 * the method's plan then reads the selection's `channel` and `direction`, so the workflow checks that an
 * earlier step writes them. The selection is read with {@link readConceptSelection} (uniform over the batch,
 * a valid channel and direction, typed errors otherwise).
 *
 * @example
 * const workflow = new Workflow([
 *   lrp({ composite: 'epsilonPlus', target: { select: 'argmax' }, modules: ['conv2'], inputs: [] }),
 *   conceptSelection({ relevanceKey: ['attr', 'conv2'] }),
 *   lrp({
 *     composite: 'epsilonPlus',
 *     target: { select: 'argmax' },
 *     attributionKey: 'concept',
 *     outputGradients: { conv2: selectedChannelGradient() },
 *   }),
 * ]);
 * const { data: result } = workflow.run(model, data); // data: 'input' and 'concept_labels'
 * result.getTensor(['concept', 'input']); // the input relevance of the selected conv2 channel
 * result.dispose();
 */
export function selectedChannelGradient(
  options: SelectedChannelGradientOptions = {},
): OutputGradientFromData & { describe(): JsonValue } {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: "Pass {} for the defaults, or { selectionKey: ['metrics', 'concept_selection'] }.",
    });
  }
  const selectionKey = toKeyPath(options.selectionKey ?? defaultConceptSelectionKey, `${where} selectionKey`);
  const channelAxis = checkAxisOption(options.channelAxis ?? -1, 'channelAxis', where);
  return Object.freeze({
    inKeys: Object.freeze([joinKeys(selectionKey, ['channel']), joinKeys(selectionKey, ['direction'])]),
    fromData: (data: TensorDict) =>
      conceptChannelGradient({ ...readConceptSelection(data, selectionKey), channelAxis }),
    describe: () => ({ gradient: 'selected-concept-channel', selectionKey: [...selectionKey], channelAxis }),
  });
}
