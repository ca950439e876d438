import { explainDefaults } from '@tdhook/adapter-cv';
import { tokenAttributionMethods } from '@tdhook/adapter-nlp';
import { integratedGradients, noiseTunnel, saliency } from '@tdhook/attribution';

import { composites, defaultOut } from './commands/explain-args.js';
import { colorChoices } from './commands/explain-text-args.js';
import { builtInTextModels } from './commands/text-models.js';
import { exitCodes } from './exit-codes.js';
import { explainLimits } from './limits.js';

/** `tdhook --help`. */
export const mainHelp = `tdhook: explain TensorFlow.js vision models from the command line

Usage:
  tdhook explain --model <dir> --input <image...> --method <name> [options]
  tdhook explain-text --model <dir|name> --text "<text>" --method <name> [options]
  tdhook info --model <dir>
  tdhook methods [--plugin <module>...]
  tdhook <command> --help

Commands:
  explain        attribution heatmaps (PNG) and a JSON of scores for one or more images
  explain-text   token attributions of a text for a GPT-2-style language model (terminal,
                 HTML, JSON; attention heatmaps with --attention)
  info           a model's inputs, outputs and hookable layer / node paths
  methods        the methods explain runs: the built-ins and those of --plugin modules

Models are TF.js Layers or Graph models on disk: a folder with model.json and its
weight files (or the model.json path). Images are PNG or JPEG. Language models are
Hugging Face GPT-2 folders (config.json, model.safetensors and a tokenizer).
`;

/**
 * The defaults the methods set themselves, read from configured methods so that the help cannot drift from
 * them: each option has its default in one place, the method's `configure` (and `explainDefaults` for what
 * explainImages fills in).
 */
function methodDefaults(): { steps: string; samples: string } {
  return {
    steps: String(integratedGradients({}).options.steps),
    samples: String(noiseTunnel(saliency({}), {}).options.samples),
  };
}

/** `tdhook explain --help`, with the methods' own defaults and explainImages' (`explainDefaults`). */
export function explainHelp(): string {
  const defaults = methodDefaults();
  const otherComposites = composites.filter((name) => name !== explainDefaults.composite);
  return `tdhook explain: attribution heatmaps for images

Usage:
  tdhook explain --model <dir> --input <image...> --method <name> [options]

Required:
  --model <dir>          TF.js model folder (model.json + weights) or model.json path
  --input <image...>     one or more PNG/JPEG files (repeat --input or list them)
  --method <name>        saliency     |gradient| of the class score (Simonyan et al. 2014)
                         ig           integrated gradients × (input − baseline) (Sundararajan et al. 2017)
                         smoothgrad   saliency averaged over noisy copies (Smilkov et al. 2017)
                         guided       guided backpropagation (Springenberg et al. 2015)
                         gradcam      Grad-CAM on a feature-map layer (Selvaraju et al. 2017)
                         lrp          layer-wise relevance propagation (Layers models only)
                         or the id of a method from --plugin (tdhook methods lists them)

Options:
  --target <t>           argmax (the predicted class), a class index, or a class label
                         when the model has labels (see --labels) (default ${explainDefaults.target})
  --out <dir>            output folder (default: ${defaultOut})
  --layer <path>         gradcam: the layer; default the last feature map (tdhook info lists paths)
  --steps <n>            ig: quadrature steps, 1 to ${explainLimits.steps} (default ${defaults.steps})
  --baseline <value>     ig: baseline value, in model input units (default ${explainDefaults.baseline})
  --samples <n>          smoothgrad: noisy samples, 1 to ${explainLimits.samples} (default ${defaults.samples})
  --composite <name>     lrp: ${explainDefaults.composite} (default), or one of
                         ${otherComposites.join(', ')}
  --options <json>       the method's own options as a JSON object, over what the flags
                         give, e.g. '{"method":"riemann_trapezoid"}' for ig
  --plugin <module>      load the method factories a module exports (a path or an
                         installed package name; repeatable), to run with --method <id>
  --normalise <name>     pixel scaling: unit [0,1], symmetric [-1,1], imagenet, raw [0,255]
                         (default: from the model's metadata, else ${explainDefaults.normalisation})
  --fit <mode>           stretch, cover (centre crop) or contain (letterbox)
                         (default: from the model's metadata, else ${explainDefaults.fit})
  --labels <a,b,...>     class names, comma separated, one per class (default: from the
                         model's metadata)
  --backend <name>       auto, tensorflow-gpu, tensorflow, wasm or cpu (default:
                         TDHOOK_BACKEND if set, else auto: the fastest installed)
  --quiet                no progress on stderr (warnings still print)
  -h, --help             this help

Writes, per image, <name>.<method>.png (the heatmap at the model's input size: red
positive, blue negative for signed methods) and <name>.<method>.overlay.png (over the
photo), plus scores.json (predictions, the explained class, attribution statistics).
Nothing is written unless the whole run succeeds. Images larger than
${explainLimits.imageSide} pixels on a side are downscaled first, with a warning.

A plugin method gets {"target":{"select":<class or "argmax">}} plus --options, and
must write its attribution under ['attr', 'input'] shaped like the image.

Exit codes: ${exitCodes.ok} done, ${exitCodes.failed} the work failed (model, image, layer, output folder),
${exitCodes.usage} the command line cannot run as written, ${exitCodes.plugin} a --plugin module or its method cannot be used.

Example:
  tdhook explain --model models/mnist-cnn --input digit-7.png --method ig --out out/
`;
}

/** `tdhook explain-text --help`, with the methods and limits the code holds. */
export function explainTextHelp(): string {
  const steps = String(integratedGradients({}).options.steps);
  return `tdhook explain-text: which tokens of a text make a language model predict a token

Usage:
  tdhook explain-text --model <dir|name> --text "<text>" --method <name> [options]

Required:
  --model <dir|name>     a Hugging Face GPT-2 folder (config.json, model.safetensors or shards,
                         and a tokenizer: vocab.json + merges.txt, tokenizer.json or
                         tdhook-tokenizer.json), or a built-in model of the tdhook repository:
                         ${builtInTextModels.join(', ')}
  --text "<text>"        the text; its tokens are attributed
  --method <name>        ${tokenAttributionMethods.join(', ')} (comma separated or repeated for several rows):
                         saliency  |gradient| at each token's embedding (summed over d_model)
                         ixg       gradient × embedding
                         ig        integrated gradients from a baseline embedding
                         lrp       LRP for transformers (RelP/AttnLRP rules; conserves the logit)

Options:
  --target <token>       the token whose logit is explained: argmax (the prediction, default),
                         the token's text (one token, e.g. " Mary" with its space for GPT-2),
                         or id:<n>
  --versus <token>       explain logit(target) − logit(versus) instead (a logit difference)
  --position <n>         the position whose logits are read (default -1, the last token)
  --baseline <b>         ig: zeros (default), pad (the tokenizer's pad token), a token, or
                         id:<n>: that token's embedding at every position
  --steps <n>            ig: Gauss–Legendre steps, 1 to ${explainLimits.steps} (default ${steps})
  --out <dir>            output folder (default: ${defaultOut})
  --attention            also write attention.layer<i>.png: every head's pattern with token
                         labels
  --color <mode>         ${colorChoices.join(', ')} (default auto: colour on a terminal, plain text
                         in a pipe or with NO_COLOR)
  --backend <name>       auto, tensorflow-gpu, tensorflow, wasm or cpu (default:
                         TDHOOK_BACKEND if set, else auto: the fastest installed)
  --quiet                no "wrote ..." line on stderr
  -h, --help             this help

Prints the text with each token shaded by its score (red towards the target, blue
away) on stdout, and writes text.html (the same, with values on hover) and scores.json
(tokens, offsets, scores per method) to --out. Nothing is written unless the whole run
succeeds.

Exit codes: ${exitCodes.ok} done, ${exitCodes.failed} the work failed (model, tokenizer, output folder),
${exitCodes.usage} the command line cannot run as written.

Example:
  tdhook explain-text --model models/gpt2 --text "When Mary and John went to the store, John gave a drink to" \\
    --method ig,lrp --target " Mary" --versus " John" --attention
`;
}

/** `tdhook info --help`. */
export const infoHelp = `tdhook info: what a model takes, returns and where it can be hooked

Usage:
  tdhook info --model <dir> [--json]

Prints the model kind (Layers or Graph), its inputs and outputs, and one row per
hookable module path with its type, output shape and parameter count. Paths are what
--layer and every tdhook method take; Graph node names with '/' are escaped: <a/b/c>.

Options:
  --model <dir>          TF.js model folder or model.json path
  --json                 print JSON instead of a table
  --backend <name>       auto, tensorflow-gpu, tensorflow, wasm or cpu (default:
                         TDHOOK_BACKEND if set, else auto: the fastest installed)
  -h, --help             this help
`;

/** `tdhook methods --help`. */
export const methodsHelp = `tdhook methods: the methods tdhook explain runs

Usage:
  tdhook methods [--plugin <module>...] [--json]

Lists the built-in methods (short name and registry id) and the methods each
--plugin module registers (by id), with one line on what each computes.

Options:
  --plugin <module>      a path or an installed package name exporting method
                         factories (repeatable)
  --json                 print JSON instead of a table
  -h, --help             this help
`;
