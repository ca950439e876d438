// src/probing-only.ts
import * as tf5 from "@tensorflow/tfjs-core";
import { initBackend } from "@tdhook/backend";
import { writeFileSync as writeFileSync2 } from "fs";

// src/vision/demo-context.ts
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { performance as performance2 } from "perf_hooks";
import { encodePng } from "@tdhook/adapter-cv";
var DemoContext = class {
  outDir;
  #started = performance2.now();
  constructor(outDir) {
    this.outDir = outDir;
    mkdirSync(outDir, { recursive: true });
  }
  /**
   * Writes `image` (or PNG bytes already encoded) as `file` and returns it as a report figure, with an
   * optional note.
   */
  png(file, image, caption, note = "") {
    const png = image instanceof Uint8Array ? image : encodePng(image);
    writeFileSync(join(this.outDir, file), png);
    return { kind: "png", file, png, caption, ...note === "" ? {} : { note } };
  }
  /** Logs a step with the elapsed time since the demo started. */
  log(message) {
    const seconds = ((performance2.now() - this.#started) / 1e3).toFixed(1).padStart(5);
    console.log(`  [${seconds} s] ${message}`);
  }
  /** Runs `work` and logs how long it took; returns its result and the seconds. */
  async timed(message, work) {
    const started = performance2.now();
    const value = await work();
    const seconds = (performance2.now() - started) / 1e3;
    this.log(`${message} (${seconds.toFixed(1)} s)`);
    return { value, seconds };
  }
};
function fmt(value) {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

// src/report/html-report.ts
function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
function figureHtml(figure) {
  const body = figure.kind === "png" ? `<img src="data:image/png;base64,${Buffer.from(figure.png).toString("base64")}" alt="${escape(figure.caption)}" data-file="${escape(figure.file)}">` : figure.kind === "svg" ? figure.svg : `<div class="view">${figure.html}</div>`;
  const note = figure.note === void 0 ? "" : `<p class="note">${escape(figure.note)}</p>`;
  return `<figure>${body}<figcaption>${escape(figure.caption)}</figcaption>${note}</figure>`;
}
function tableHtml(table) {
  const head = table.header.map((cell) => `<th>${escape(cell)}</th>`).join("");
  const rows = table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join("")}</tr>`).join("\n");
  return `<figure class="table"><figcaption>${escape(table.caption)}</figcaption><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></figure>`;
}
var style = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.7rem; margin-bottom: 0.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0 0 1rem; color: #333; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
nav { margin: 0.5rem 0 1rem; } nav a { margin-right: 1rem; }
figure { display: block; margin: 1rem 0 1.4rem; max-width: 100%; }
figure img, figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
figure svg { width: 820px; }
figure .view { border: 1px solid #e3e3e3; padding: 0.4rem 0.8rem; max-width: 900px; } /* the charts' 10-pixel text, enlarged to read at a normal distance */
figure.table figcaption { font-weight: 600; color: #1b1b1b; font-size: 0.95rem; margin: 0 0 0.3rem; }
figcaption { color: #444; font-size: 0.9rem; max-width: 900px; margin-top: 0.4rem; }
.note { max-width: 900px; margin: 0.5rem 0 0; padding: 0.5rem 0.8rem; background: #fff8e1; border-left: 4px solid #f0b400; font-size: 0.9rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
`;
function htmlReport(title, meta, sections2) {
  const nav = sections2.map((section) => `<a href="#${section.id}">${escape(section.title)}</a>`).join("");
  const body = sections2.map(
    (section) => [
      `<section id="${section.id}"><h2>${escape(section.title)}</h2>`,
      ...section.paragraphs.map((text) => `<p>${escape(text)}</p>`),
      ...section.figures.map(figureHtml),
      ...section.tables.map(tableHtml),
      "</section>"
    ].join("\n")
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>${style}</style></head>
<body><h1>${escape(title)}</h1>
<dl class="meta">
${meta.map(([term, text]) => `<dt>${escape(term)}</dt><dd>${escape(text)}</dd>`).join("\n")}
</dl>
<nav>${nav}</nav>
${body}
</body></html>
`;
}

// src/probing/mnist-probing-section.ts
import * as tf3 from "@tensorflow/tfjs-core";
import { loadModel } from "@tdhook/adapter-cv";
import { TensorDict as TensorDict2 } from "@tdhook/core";
import { mnistCnnDir, mnistCnnInput, readMnist } from "@tdhook/cv-assets";
import { cacheDataset } from "@tdhook/probing";

// src/probing/layer-geometry.ts
import * as tf from "@tensorflow/tfjs-core";
import { Lambda, TensorDict, Workflow } from "@tdhook/core";
import {
  activationSamples,
  cka,
  dimensionEstimation,
  dimensionSummary,
  getShapeNeutralTensor,
  localKnnEstimator,
  twoNnEstimator
} from "@tdhook/probing";
var flatten = (x) => tf.reshape(x, [x.shape[0] ?? 0, -1]);
function layerDimensions(layers, points) {
  const cache = new TensorDict({}, { batchShape: [points] });
  const steps = [];
  try {
    for (const { name, rows } of layers) {
      cache.set(["activations", "cache", name], tf.slice(rows, 0, points));
      steps.push(
        activationSamples({ activationKey: name, transform: flatten, outKey: ["samples", name] }),
        dimensionEstimation({ estimator: twoNnEstimator(), inKey: ["samples", name], outKey: ["twonn", name] }),
        dimensionEstimation({ estimator: localKnnEstimator(), inKey: ["samples", name], outKey: ["local_knn", name] }),
        dimensionSummary({ inKey: ["local_knn", name], outKey: ["local_knn_summary", name] })
      );
    }
    const { data: result, plan } = new Workflow(steps).run(new Lambda("unused", (x) => x), cache);
    try {
      const scalar = (key) => {
        const value = getShapeNeutralTensor(result, key);
        try {
          return value.dataSync()[0] ?? NaN;
        } finally {
          value.dispose();
        }
      };
      const dimensions = layers.map(({ name }) => ({
        layer: name,
        twoNn: scalar(["twonn", name]),
        localKnnMean: scalar(["local_knn_summary", name, "mean"]),
        localKnnStd: scalar(["local_knn_summary", name, "std"]),
        localKnnCount: scalar(["local_knn_summary", name, "count"])
      }));
      return { dimensions, modelPasses: plan.modelPasses, steps: plan.executions.length };
    } finally {
      result.dispose();
    }
  } finally {
    cache.dispose();
  }
}
function ckaMatrix(layers, points) {
  const firsts = layers.map(({ rows }) => tf.slice(rows, 0, points));
  try {
    return firsts.map(
      (a, i) => firsts.map((b, j) => {
        if (i === j) return 1;
        if (j < i) return NaN;
        const value = cka(a, b);
        try {
          return value.dataSync()[0] ?? NaN;
        } finally {
          value.dispose();
        }
      })
    ).map((row, i, matrix) => row.map((value, j) => j < i ? matrix[j]?.[i] ?? NaN : value));
  } finally {
    tf.dispose(firsts);
  }
}

// src/probing/layer-probes.ts
import * as tf2 from "@tensorflow/tfjs-core";
import { seededRandom } from "@tdhook/core/plugin";
import {
  accuracy,
  balancedAccuracy,
  logisticRegression
} from "@tdhook/probing";
var exactMaxFeatures = 256;
function options(features) {
  return features > exactMaxFeatures ? { solver: "minibatch", epochs: 5, batchSize: 128, learningRate: 0.01, seed: 1 } : { solver: "auto", tolerance: 1e-6, maxIterations: 100 };
}
function shuffledLabels(labels, seed) {
  const random = seededRandom(seed);
  const shuffled = Int32Array.from(labels);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled;
}
function heldOutAccuracy(train, trainLabels, test, testLabels) {
  const probe = logisticRegression(options(train.shape[1]));
  const y = tf2.tensor1d(trainLabels, "int32");
  try {
    probe.fit(train, y);
    const predicted = probe.predict(test);
    try {
      return {
        accuracy: accuracy(predicted, testLabels),
        balanced: balancedAccuracy(predicted, testLabels),
        solver: probe.solverUsed
      };
    } finally {
      predicted.dispose();
    }
  } finally {
    y.dispose();
    probe.dispose();
  }
}
function probeLayers(layers, labels, trainRows2, seed) {
  const trainLabels = labels.slice(0, trainRows2);
  const testLabels = labels.slice(trainRows2);
  const control = shuffledLabels(trainLabels, seed);
  return layers.map(({ name, rows }) => {
    const [train, test] = tf2.split(rows, [trainRows2, rows.shape[0] - trainRows2]);
    try {
      const probe = heldOutAccuracy(train, trainLabels, test, testLabels);
      const shuffled = heldOutAccuracy(train, control, test, testLabels);
      return {
        layer: name,
        features: rows.shape[1],
        accuracy: probe.accuracy,
        balancedAccuracy: probe.balanced,
        control: shuffled.accuracy,
        controlBalanced: shuffled.balanced,
        solver: probe.solver
      };
    } finally {
      tf2.dispose([train, test]);
    }
  });
}
function majorityAccuracy(labels, trainRows2) {
  const positives = labels.slice(0, trainRows2).reduce((total, label) => total + label, 0);
  const majority = positives * 2 >= trainRows2 ? 1 : 0;
  const test = labels.slice(trainRows2);
  return test.reduce((hits, label) => hits + (label === majority ? 1 : 0), 0) / test.length;
}

// src/probing/probing-figures.ts
import { heatmap, imageGrid, linePlot } from "@tdhook/adapter-cv";
var plotSize = { width: 800, height: 420, textScale: 2 };
var layerAxis = (count) => Array.from({ length: count }, (_, index) => index);
function probePlot(title, results, majority) {
  const x = layerAxis(results.length);
  return linePlot(
    [
      { label: "probe", x, y: results.map((result) => result.accuracy), color: "#d62728" },
      { label: "shuffled labels", x, y: results.map((result) => result.control), color: "#7f7f7f" },
      { label: "majority class", x, y: x.map(() => majority), color: "#1f77b4" }
    ],
    // Up to 1.2, so that the legend (top right) sits above the curves.
    { ...plotSize, title, xLabel: "layer (see the table)", yLabel: "held-out accuracy", yRange: [0.4, 1.2] }
  );
}
function dimensionPlot(title, dimensions) {
  const x = layerAxis(dimensions.length);
  return linePlot(
    [
      { label: "TwoNN", x, y: dimensions.map((layer) => layer.twoNn), color: "#d62728" },
      { label: "local kNN (mean)", x, y: dimensions.map((layer) => layer.localKnnMean), color: "#2ca02c" }
    ],
    { ...plotSize, title, xLabel: "layer (see the table)", yLabel: "intrinsic dimension" }
  );
}
function ckaHeatmap(title, layers, matrix) {
  const range = [0, 1];
  const colormap = "viridis";
  const rows = matrix.map(
    (row) => row.map((value) => ({
      image: heatmap({ values: [value], width: 1, height: 1 }, { range, colormap }),
      note: fmt(value)
    }))
  );
  return imageGrid(rows, {
    cellSize: 76,
    gap: 2,
    textScale: 2,
    title,
    columnLabels: layers,
    rowLabels: layers,
    legend: { colormap, range },
    footer: "Linear CKA: 1 = the same representation up to rotation and scale; 0 = unrelated."
  });
}

// src/probing/probing-report.ts
var percent = (value) => `${(100 * value).toFixed(1)} %`;
async function studyLayers(context2, study) {
  const { id, model, concept, layers, labels, trainRows: trainRows2 } = study;
  const { value: probes } = await context2.timed(
    `${model}: ${String(layers.length * 2)} logistic-regression probes`,
    () => probeLayers(layers, labels, trainRows2, 14)
  );
  const majority = majorityAccuracy(labels, trainRows2);
  const { value: geometry } = await context2.timed(
    `${model}: TwoNN and local kNN per layer (one operator Workflow)`,
    () => layerDimensions(layers, study.dimensionPoints)
  );
  const { value: cka2 } = await context2.timed(
    `${model}: linear CKA between ${String(layers.length)} layers`,
    () => ckaMatrix(layers, study.ckaPoints)
  );
  const testRows = labels.length - trainRows2;
  const names = layers.map((layer) => layer.name);
  const figures = [
    context2.png(
      `${id}-probes.png`,
      probePlot(`${study.shortModel}: probe accuracy`, probes, majority),
      `Held-out accuracy of a logistic-regression probe for \u201C${concept}\u201D at each layer (red), the same probe trained on shuffled labels (grey: what a probe of that width fits without the concept), and always answering the majority class (blue). ${String(trainRows2)} training rows, ${String(testRows)} held out. Layers by index: ${names.map((name, index) => `${String(index)} ${name}`).join(", ")}.`
    ),
    context2.png(
      `${id}-dimension.png`,
      dimensionPlot(`${study.shortModel}: intrinsic dimension`, geometry.dimensions),
      `Intrinsic dimension of each layer's activations on ${String(study.dimensionPoints)} inputs: TwoNN over the whole point cloud (red) and the mean of the local kNN estimates per point (green; ln 2 / ln(R\u2082\u2096/R\u2096) with k = \u221AN nearest neighbours, NaN where those distances tie). Layers by index as above.`
    ),
    context2.png(
      `${id}-cka.png`,
      ckaHeatmap(`${study.shortModel}: linear CKA`, study.shortNames, cka2),
      `Linear CKA between the layers' activations on the same ${String(study.ckaPoints)} inputs (Kornblith et al. 2019): how similar two layers' representations are, up to rotation and isotropic scaling.`
    )
  ];
  const tables = [
    {
      caption: `${model}: held-out accuracy of the \u201C${concept}\u201D probe per layer, and the shuffled-label control (majority class: ${percent(majority)})`,
      header: [
        "layer",
        "features",
        "probe accuracy",
        "balanced accuracy",
        "control accuracy",
        "control balanced",
        "probe \u2212 control",
        "solver"
      ],
      rows: probes.map((probe) => [
        probe.layer,
        String(probe.features),
        percent(probe.accuracy),
        percent(probe.balancedAccuracy),
        percent(probe.control),
        percent(probe.controlBalanced),
        `${((probe.accuracy - probe.control) * 100).toFixed(1)} points`,
        probe.solver
      ])
    },
    {
      caption: `${model}: intrinsic dimension per layer (${String(study.dimensionPoints)} inputs)`,
      header: ["layer", "features", "TwoNN", "local kNN mean", "local kNN std", "points with an estimate"],
      rows: geometry.dimensions.map((layer, index) => [
        layer.layer,
        String(probes[index]?.features ?? ""),
        fmt(layer.twoNn),
        fmt(layer.localKnnMean),
        fmt(layer.localKnnStd),
        String(layer.localKnnCount)
      ])
    },
    {
      caption: `${model}: linear CKA between layers (${String(study.ckaPoints)} inputs)`,
      header: ["", ...study.shortNames],
      rows: cka2.map((row, index) => [study.shortNames[index] ?? "", ...row.map((value) => value.toFixed(3))])
    }
  ];
  return {
    probes,
    majority,
    dimensions: geometry.dimensions,
    cka: cka2,
    modelPasses: geometry.modelPasses,
    operatorSteps: geometry.steps,
    figures,
    tables
  };
}

// src/probing/mnist-probing-section.ts
var loopDigits = /* @__PURE__ */ new Set([0, 6, 8, 9]);
var ambiguousDigit = 4;
var layerNames = ["conv1", "pool1", "conv2", "pool2", "fc1", "logits"];
var imagesRead = 2050;
var rowsUsed = 1800;
var trainRows = 1200;
var batchRows = 450;
async function mnistProbingSection(context2) {
  const started = performance.now();
  const loaded = await loadModel(mnistCnnDir);
  const [height, width] = mnistCnnInput.size;
  const pixels = height * width;
  const slice4 = readMnist("test", 0, imagesRead);
  const kept = Array.from(slice4.labels.keys()).filter((index) => slice4.labels[index] !== ambiguousDigit).slice(0, rowsUsed);
  const images = new Float32Array(kept.length * pixels);
  kept.forEach((index, row) => images.set(slice4.images.subarray(index * pixels, (index + 1) * pixels), row * pixels));
  const labels = Int32Array.from(kept, (index) => loopDigits.has(slice4.labels[index]) ? 1 : 0);
  const inputs = tf3.tensor4d(images, [kept.length, height, width, mnistCnnInput.channels]);
  const batches = Array.from({ length: Math.ceil(kept.length / batchRows) }, (_, batch) => {
    const rows = Math.min(batchRows, kept.length - batch * batchRows);
    return new TensorDict2({ input: tf3.slice(inputs, batch * batchRows, rows) }, { batchShape: [rows] });
  });
  let cache;
  const layers = [];
  try {
    const { value } = await context2.timed(
      `MNIST CNN: every layer cached for ${String(kept.length)} test digits`,
      () => cacheDataset(loaded.model, batches, { select: new RegExp(`^(${layerNames.join("|")})$`) })
    );
    cache = value;
    const flat = (tensor) => tf3.reshape(tensor, [kept.length, -1]);
    layers.push({ name: "input", rows: flat(inputs) });
    for (const name of layerNames) layers.push({ name, rows: flat(cache.getTensor(name)) });
    const study = await studyLayers(context2, {
      id: "probing-mnist",
      model: "MNIST CNN",
      shortModel: "MNIST CNN",
      concept: "closed loop",
      layers,
      shortNames: layers.map((layer) => layer.name),
      labels,
      trainRows,
      dimensionPoints: 1e3,
      ckaPoints: 500
    });
    const positives = labels.reduce((total, label) => total + label, 0);
    const seconds = (performance.now() - started) / 1e3;
    return {
      id: "probing-mnist",
      title: 'Probing the MNIST CNN: a "closed loop" concept, intrinsic dimension and CKA per layer',
      shortTitle: "probing MNIST",
      paragraphs: [
        `@tdhook/probing reads what each layer of the MNIST CNN represents. cacheDataset ran activationCaching over ${String(kept.length)} test digits in ${String(batches.length)} batches and kept every layer's output: conv1 [26\xD726\xD78], pool1 [13\xD713\xD78], conv2 [11\xD711\xD716], pool2 [5\xD75\xD716], fc1 [32] and logits [10], plus the input pixels as layer 0.`,
        `The concept: \u201Cthe digit's usual glyph has a closed loop\u201D: 0, 6, 8 and 9 are positive, 1, 2, 3, 5 and 7 negative. 4 is left out, because it is written open (two strokes) about as often as closed, so its label would be a guess; 2 counts as open although some writers loop its base. ${String(positives)} of the ${String(kept.length)} digits are positive. The concept is not a class the network was trained on: a layer separates it only as far as it has learnt shapes that carry it.`,
        `Each probe is @tdhook/probing's logisticRegression (scikit-learn's objective: L2, C = 1, with intercept) on a layer's flattened activations, trained on the first ${String(trainRows)} digits and scored on the other ${String(kept.length - trainRows)}. Layers wider than 256 features are fitted by the mini-batch solver (Adam, 5 epochs, float32), the others by Newton's method in float64. The control is the same probe trained on the training labels shuffled (seeded): it measures what a probe that wide can fit without the concept (Hewitt and Liang 2019).`,
        `The dimensions come from one Workflow of ${String(study.operatorSteps)} operators over the cached activations (activationSamples \u2192 dimensionEstimation with twoNnEstimator and localKnnEstimator \u2192 dimensionSummary, per layer), which needs ${String(study.modelPasses)} model passes. This section took ${seconds.toFixed(1)} s.`
      ],
      figures: study.figures,
      tables: study.tables
    };
  } finally {
    tf3.dispose(layers.map((layer) => layer.rows));
    for (const batch of batches) batch.dispose();
    cache?.dispose();
    inputs.dispose();
    loaded.dispose();
  }
}

// src/probing/nlp-probing-section.ts
import * as tf4 from "@tensorflow/tfjs-core";
import { TensorDict as TensorDict3 } from "@tdhook/core";
import { loadMobyCharModel, mobyDickCorpus, sampleMobyDickWindows } from "@tdhook/nlp-assets";
import { cacheDataset as cacheDataset2 } from "@tdhook/probing";
var hookPoints = [
  ["blocks.0.hook_resid_pre", "embed"],
  ["blocks.0.hook_resid_mid", "L0 mid"],
  ["blocks.0.hook_resid_post", "L0 post"],
  ["blocks.1.hook_resid_mid", "L1 mid"],
  ["blocks.1.hook_resid_post", "L1 post"]
];
var windows = 40;
var trainWindows = 28;
var length = 64;
var firstPosition = 8;
async function nlpProbingSection(context2) {
  const started = performance.now();
  const { model, training } = await loadMobyCharModel();
  const space = mobyDickCorpus().vocabulary.indexOf(" ");
  const ids = sampleMobyDickWindows({ seed: 14, count: windows, length, split: "held-out" });
  const width = length + 1;
  const input = tf4.tensor2d(
    Int32Array.from({ length: windows * length }, (_, i) => ids[Math.floor(i / length) * width + i % length]),
    [windows, length],
    "int32"
  );
  const positions = length - firstPosition;
  const labels = Int32Array.from({ length: windows * positions }, (_, row) => {
    const window = Math.floor(row / positions);
    const position = firstPosition + row % positions;
    return ids[window * width + position + 1] === space ? 1 : 0;
  });
  const batches = [new TensorDict3({ input }, { batchShape: [windows] })];
  let cache;
  const layers = [];
  try {
    const { value } = await context2.timed(
      `Moby Dick character model: residual stream cached for ${String(windows)}\xD7${String(length)} characters`,
      () => cacheDataset2(model, batches, { select: new RegExp(`^(${hookPoints.map(([path]) => path.replace(/\./g, "\\.")).join("|")})$`) })
    );
    cache = value;
    for (const [path] of hookPoints) {
      const stream = cache.getTensor(path);
      layers.push({
        name: path,
        rows: tf4.tidy(() => tf4.reshape(tf4.slice(stream, [0, firstPosition, 0], [windows, positions, -1]), [windows * positions, -1]))
      });
    }
    const study = await studyLayers(context2, {
      id: "probing-nlp",
      model: "Moby Dick character model",
      shortModel: "Char model",
      concept: "the next character is a space",
      layers,
      shortNames: hookPoints.map(([, short]) => short),
      labels,
      trainRows: trainWindows * positions,
      dimensionPoints: 1e3,
      ckaPoints: 1e3
    });
    const positives = labels.reduce((total, label) => total + label, 0);
    const seconds = (performance.now() - started) / 1e3;
    const held = typeof training.heldOutMetric === "string" ? ` (${training.heldOutMetric})` : "";
    return {
      id: "probing-nlp",
      title: "Probing a character model\u2019s residual stream: \u201Cthe next character is a space\u201D",
      shortTitle: "probing NLP",
      paragraphs: [
        `The Moby Dick character model of @tdhook/nlp-assets${held} is a 2-layer GPT-2 (d_model 128) over the lowercased novel's 57 characters, loaded as an @tdhook/adapter-nlp HookedTransformer. cacheDataset cached its residual stream at five hook points: before block 0 (the token and position embeddings), after each block's attention (hook_resid_mid) and after each block (hook_resid_post), on ${String(windows)} windows of ${String(length)} held-out characters.`,
        `The concept: \u201Cthe next character is a space\u201D, i.e. the current word ends here. The model is trained to predict the next character, so its last layer should carry it; the embedding knows only the current character and its position, which already says something (after \u201C,\u201D or \u201C.\u201D a space is almost certain). ${String(positives)} of the ${String(labels.length)} positions (${String(firstPosition)}\u2026${String(length - 1)} of each window) are positive, so the majority class scores high: compare balanced accuracy too.`,
        `The probes are trained on the positions of the first ${String(trainWindows)} windows and scored on the other ${String(windows - trainWindows)} (whole windows held out, so no text is shared), with logisticRegression solved by Newton's method (129 parameters); the control again shuffles the training labels. This section took ${seconds.toFixed(1)} s.`
      ],
      figures: study.figures,
      tables: study.tables
    };
  } finally {
    tf4.dispose(layers.map((layer) => layer.rows));
    for (const batch of batches) batch.dispose();
    cache?.dispose();
    model.dispose();
  }
}

// src/probing-only.ts
var cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
await initBackend();
var before = tf5.memory().numTensors;
var context = new DemoContext("/tmp/probing-out");
var sections = [];
for (const section of [mnistProbingSection, nlpProbingSection]) {
  const c0 = cpu();
  const w0 = performance.now();
  sections.push(await section(context));
  console.log("SECTION cpu", (cpu() - c0).toFixed(1), "wall", ((performance.now() - w0) / 1e3).toFixed(1));
}
writeFileSync2("/tmp/probing-out/index.html", htmlReport("probing only", [], sections));
writeFileSync2("/tmp/probing-out/summary.json", JSON.stringify(sections.map((s) => ({ id: s.id, tables: s.tables })), null, 1));
console.log("leaked", tf5.memory().numTensors - before);
//# sourceMappingURL=probing-only.js.map