/** `tdhook --help`. */
export const mainHelp = `tdhook: explain TensorFlow.js vision models from the command line

Usage:
  tdhook explain --model <dir> --input <image...> --method <name> [options]
  tdhook info --model <dir>
  tdhook <command> --help

Commands:
  explain   attribution heatmaps (PNG) and a JSON of scores for one or more images
  info      a model's inputs, outputs and hookable layer / node paths

Models are TF.js Layers or Graph models on disk: a folder with model.json and its
weight files (or the model.json path). Images are PNG or JPEG.
`;

/** `tdhook explain --help`. */
export const explainHelp = `tdhook explain: attribution heatmaps for images

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

Options:
  --target <t>           argmax (default: the predicted class), a class index, or a
                         class label when the model has labels (see --labels)
  --out <dir>            output folder (default: tdhook-output)
  --layer <path>         Grad-CAM layer; default the last feature map (tdhook info lists paths)
  --steps <n>            integrated gradients steps (default 32)
  --baseline <value>     integrated gradients baseline value, in model input units (default 0)
  --samples <n>          SmoothGrad samples (default 16)
  --composite <name>     LRP composite: epsilonPlus (default), epsilon, zPlus, alpha1beta0,
                         epsilonAlpha2Beta1
  --normalise <name>     pixel scaling: unit [0,1], symmetric [-1,1], imagenet, raw [0,255]
                         (default: from the model's metadata, else unit)
  --fit <mode>           stretch (default), cover (centre crop) or contain (letterbox)
  --labels <a,b,...>     class names, comma separated (default: from the model's metadata)
  --backend <name>       auto, tensorflow-gpu, tensorflow, wasm or cpu (default:
                         TDHOOK_BACKEND if set, else auto: the fastest installed)
  --quiet                no progress on stderr
  -h, --help             this help

Writes, per image, <name>.<method>.png (the heatmap at the model's input size: red
positive, blue negative for signed methods) and <name>.<method>.overlay.png (over the
photo), plus scores.json (predictions, the explained class, attribution statistics).

Example:
  tdhook explain --model models/mnist-cnn --input digit-7.png --method ig --out out/
`;

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
