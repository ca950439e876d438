import { explainDefaults } from '@tdhook/adapter-cv';
import { integratedGradients, noiseTunnel, saliency } from '@tdhook/attribution';

import { composites, defaultOut } from './commands/explain-args.js';
import { exitCodes } from './exit-codes.js';
import { explainLimits } from './limits.js';

/** `tdhook --help`. */
export const mainHelp = `tdhook: explain TensorFlow.js vision models from the command line

Usage:
  tdhook explain --model <dir> --input <image...> --method <name> [options]
  tdhook info --model <dir>
  tdhook methods [--plugin <module>...]
  tdhook <command> --help

Commands:
  explain   attribution heatmaps (PNG) and a JSON of scores for one or more images
  info      a model's inputs, outputs and hookable layer / node paths
  methods   the methods explain runs: the built-ins and those of --plugin modules

Models are TF.js Layers or Graph models on disk: a folder with model.json and its
weight files (or the model.json path). Images are PNG or JPEG.
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
