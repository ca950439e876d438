var __knownSymbol = (name, symbol) => (symbol = Symbol[name]) ? symbol : /* @__PURE__ */ Symbol.for("Symbol." + name);
var __typeError = (msg) => {
  throw TypeError(msg);
};
var __using = (stack, value, async) => {
  if (value != null) {
    if (typeof value !== "object" && typeof value !== "function") __typeError("Object expected");
    var dispose, inner;
    if (async) dispose = value[__knownSymbol("asyncDispose")];
    if (dispose === void 0) {
      dispose = value[__knownSymbol("dispose")];
      if (async) inner = dispose;
    }
    if (typeof dispose !== "function") __typeError("Object not disposable");
    if (inner) dispose = function() {
      try {
        inner.call(this);
      } catch (e) {
        return Promise.reject(e);
      }
    };
    stack.push([async, dispose, value]);
  } else if (async) {
    stack.push([async]);
  }
  return value;
};
var __callDispose = (stack, error, hasError) => {
  var E = typeof SuppressedError === "function" ? SuppressedError : function(e, s2, m, _) {
    return _ = Error(m), _.name = "SuppressedError", _.error = e, _.suppressed = s2, _;
  };
  var fail = (e) => error = hasError ? new E(e, error, "An error was suppressed during disposal") : (hasError = true, e);
  var next = (it) => {
    while (it = stack.pop()) {
      try {
        var result = it[1] && it[1].call(it[2]);
        if (it[0]) return Promise.resolve(result).then(next, (e) => (fail(e), next()));
      } catch (e) {
        fail(e);
      }
    }
    if (hasError) throw error;
  };
  return next();
};

// .scratch/section.ts
import { writeFileSync as writeFileSync2 } from "node:fs";
import * as tf5 from "@tensorflow/tfjs-core";
import { initBackend } from "@tdhook/backend";

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
  const rows = table.rows.map((row2) => `<tr>${row2.map((cell) => `<td>${escape(cell)}</td>`).join("")}</tr>`).join("\n");
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
function htmlReport(title, meta, sections) {
  const nav = sections.map((section) => `<a href="#${section.id}">${escape(section.title)}</a>`).join("");
  const body = sections.map(
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

// src/vision/demo-context.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance as performance2 } from "node:perf_hooks";
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

// src/intervention/intervention-section.ts
import { performance as performance4 } from "node:perf_hooks";
import { loadMobyCharModel } from "@tdhook/nlp-assets";

// src/intervention/char-steering.ts
import * as tf from "@tensorflow/tfjs-core";
import { TensorDict } from "@tdhook/core";
import { generate } from "@tdhook/adapter-nlp";
import { activationAddition, addVector, steeringVectors } from "@tdhook/intervention";
var steeringSetup = {
  positive: "\u201Cha!\u201D said he. \u201C",
  negative: "and the sea was ",
  prompt: "the old man saw the ",
  hook: "blocks.1.hook_resid_pre",
  coefficients: [0, 0.5, 1, 1.5],
  shown: 1.5,
  samples: 16,
  newTokens: 100,
  seed: 3,
  temperature: 0.8
};
var dialogueMarks = /[“”‘’!?]/g;
async function generateTexts(model, tokenizer, prompt) {
  const { samples, newTokens, seed, temperature } = steeringSetup;
  const { newTokens: generated } = await generate(model, prompt, {
    maxNewTokens: newTokens,
    strategy: { kind: "sampled", seed, temperature }
  });
  return generated.slice(0, samples).map((ids) => tokenizer.decode(ids));
}
function steeringVector(model, tokenizer) {
  var _stack = [];
  try {
    const { positive, negative, hook } = steeringSetup;
    const encode = (text) => tf.tensor2d([tokenizer.encode(text)], void 0, "int32");
    const data = __using(_stack, new TensorDict(
      { positive: { input: encode(positive) }, negative: { input: encode(negative) } },
      { batchShape: [1] }
    ));
    const prepared = __using(_stack, activationAddition({ modules: [hook] }).prepare(model));
    const result = __using(_stack, prepared.run(data));
    return tf.mean(result.getTensor(["steer", hook]), 0);
  } catch (_) {
    var _error = _, _hasError = true;
  } finally {
    __callDispose(_stack, _error, _hasError);
  }
}
function residualNorm(model, prompt) {
  const { hook } = steeringSetup;
  const { logits, cache } = model.runWithCache(prompt, { names: [hook] });
  try {
    return tf.tidy(() => tf.mean(tf.norm(cache.getTensor(hook), 2, -1)).dataSync()[0] ?? Number.NaN);
  } finally {
    logits.dispose();
    cache.dispose();
  }
}
async function steerCharModel(model, tokenizer) {
  const { prompt: text, samples, hook, coefficients } = steeringSetup;
  const vector = steeringVector(model, tokenizer);
  const ids = tokenizer.encode(text);
  const prompt = tf.tensor2d(
    Array.from({ length: samples }, () => ids),
    void 0,
    "int32"
  );
  try {
    const runs = [];
    for (const coefficient of coefficients) {
      let texts;
      if (coefficient === 0) {
        texts = await generateTexts(model, tokenizer, prompt);
      } else {
        var _stack = [];
        try {
          const _steered = __using(_stack, steeringVectors({
            modules: [hook],
            steer: addVector(vector, { coefficient })
          }).prepare(model));
          texts = await generateTexts(model, tokenizer, prompt);
        } catch (_) {
          var _error = _, _hasError = true;
        } finally {
          __callDispose(_stack, _error, _hasError);
        }
      }
      const characters = texts.reduce((sum, one) => sum + one.length, 0);
      const marks = texts.reduce((sum, one) => sum + (one.match(dialogueMarks)?.length ?? 0), 0);
      runs.push({ coefficient, texts, marksPer100: 100 * marks / characters });
    }
    return {
      vectorNorm: tf.tidy(() => tf.norm(vector).dataSync()[0] ?? Number.NaN),
      residualNorm: residualNorm(model, prompt),
      runs
    };
  } finally {
    vector.dispose();
    prompt.dispose();
  }
}

// src/intervention/bar-chart-svg.ts
var width = 820;
var plotHeight = 300;
var margin = { left: 80, right: 20, top: 56, bottom: 70 };
var ink = "#1b1b1b";
var colours = { plain: "#7f9fc4", highlight: "#d62728" };
function escapeXml(text) {
  return text.replace(/[<>&"']/g, (char) => `&#${String(char.charCodeAt(0))};`);
}
var round = (value) => String(Math.round(value * 10) / 10);
function ticksCovering(lo, hi, count) {
  const rough = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const ticks = [];
  for (let tick = Math.floor(lo / step) * step; tick < hi + step / 2; tick += step) {
    ticks.push(Math.abs(tick) < step / 1e6 ? 0 : tick);
  }
  return ticks;
}
function barChartSvg(options) {
  const { labels, values } = options;
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const ticks = ticksCovering(lo, hi === lo ? lo + 1 : hi, 5);
  const top = Math.max(hi, ticks.at(-1) ?? hi);
  const bottom = Math.min(lo, ticks[0] ?? lo);
  const height = margin.top + plotHeight + margin.bottom + (options.footnote === void 0 ? 0 : 22);
  const y = (value) => margin.top + (top - value) / (top - bottom) * plotHeight;
  const plotWidth = width - margin.left - margin.right;
  const slot = plotWidth / labels.length;
  const barWidth = Math.min(56, slot * 0.7);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="system-ui, sans-serif" fill="${ink}">`,
    `<rect width="${String(width)}" height="${String(height)}" fill="#ffffff"/>`,
    `<text x="${String(width / 2)}" y="26" text-anchor="middle" font-size="17" font-weight="600">${escapeXml(options.title)}</text>`
  ];
  for (const tick of ticks) {
    if (tick < bottom || tick > top) continue;
    const at = round(y(tick));
    parts.push(
      `<line x1="${String(margin.left)}" y1="${at}" x2="${String(width - margin.right)}" y2="${at}" stroke="#e5e5e5"/>`,
      `<text x="${String(margin.left - 8)}" y="${at}" dy="0.35em" text-anchor="end" font-size="13">${escapeXml(String(Number(tick.toPrecision(6))))}</text>`
    );
  }
  const middle = margin.top + plotHeight / 2;
  parts.push(
    `<text transform="translate(20 ${String(middle)}) rotate(-90)" text-anchor="middle" font-size="14">${escapeXml(options.yLabel)}</text>`
  );
  values.forEach((value, index) => {
    const centre = margin.left + slot * (index + 0.5);
    const from = y(Math.max(value, 0));
    const to = y(Math.min(value, 0));
    const colour = options.highlight?.has(index) === true ? colours.highlight : colours.plain;
    const label = labels[index] ?? "";
    parts.push(
      `<rect x="${round(centre - barWidth / 2)}" y="${round(from)}" width="${round(barWidth)}" height="${round(Math.max(to - from, 0.5))}" fill="${colour}"><title>${escapeXml(`${label}: ${options.format(value)}`)}</title></rect>`,
      // The value sits beyond the bar's end: above a positive bar, below a negative one.
      `<text x="${round(centre)}" y="${round(value >= 0 ? from - 6 : to + 16)}" text-anchor="middle" font-size="12">${escapeXml(options.format(value))}</text>`,
      `<text x="${round(centre)}" y="${String(margin.top + plotHeight + 22)}" text-anchor="middle" font-size="13">${escapeXml(label)}</text>`
    );
  });
  const zero = round(y(0));
  parts.push(
    `<line x1="${String(margin.left)}" y1="${zero}" x2="${String(width - margin.right)}" y2="${zero}" stroke="${ink}"/>`,
    `<line x1="${String(margin.left)}" y1="${String(margin.top)}" x2="${String(margin.left)}" y2="${String(margin.top + plotHeight)}" stroke="${ink}"/>`
  );
  if (options.footnote !== void 0) {
    parts.push(
      `<text x="${String(margin.left)}" y="${String(margin.top + plotHeight + 52)}" font-size="13" fill="#444">${escapeXml(options.footnote)}</text>`
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}

// src/intervention/grid-panels.ts
import { createImage, drawImage, heatmap, imageGrid } from "@tdhook/adapter-cv";
var gap = 24;
var cellValue = (value) => {
  const text = value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
  return /^-0\.0+$/.test(text) ? text.slice(1) : text;
};
function panel({ title, grid }, cellSize) {
  const [rowAxis, columnAxis] = grid.axes;
  const largest = Math.max(...Array.from(grid.values, Math.abs), 1e-9);
  const range = [-largest, largest];
  const colormap = "bwr";
  const rows = grid.rows().map(
    (values) => values.map((value) => ({
      image: heatmap({ values: [value], width: 1, height: 1 }, { range, colormap }),
      note: cellValue(value)
    }))
  );
  const short = (axis, prefix) => axis?.labels.map((label) => `${prefix}${label}`) ?? [];
  return imageGrid(rows, {
    cellSize,
    gap: 2,
    textScale: 2,
    title,
    rowLabels: short(rowAxis, rowAxis?.name === "layer" ? "L" : ""),
    columnLabels: short(columnAxis, columnAxis?.name === "head" ? "H" : ""),
    legend: { colormap, range }
  });
}
function gridPanels(panels, cellSize) {
  const images = panels.map((one) => panel(one, cellSize));
  const width2 = images.reduce((sum, image) => sum + image.width, 0) + gap * (images.length - 1);
  const height = Math.max(...images.map((image) => image.height));
  const canvas = createImage(width2, height);
  let x = 0;
  for (const image of images) {
    drawImage(canvas, image, x, 0);
    x += image.width + gap;
  }
  return canvas;
}

// src/intervention/ioi-study.ts
import { headSites, layerPositionSites } from "@tdhook/intervention";
import { generateIoiPrompts, ioiTemplates as ioiTemplates2, loadIoiModel } from "@tdhook/nlp-assets";

// src/intervention/frozen-pattern-check.ts
import * as tf2 from "@tensorflow/tfjs-core";
import { TensorDict as TensorDict2 } from "@tdhook/core";
import { activationPatching, steeringVectors as steeringVectors2 } from "@tdhook/intervention";
var mean2 = (values) => Array.from(values).reduce((sum, value) => sum + value, 0) / values.length;
function patchedMetric(model, pairs, layer, head, frozenPattern) {
  var _stack2 = [];
  try {
    const data = __using(_stack2, new TensorDict2(
      { input: pairs.clean.clone(), patched: { input: pairs.corrupted.clone() } },
      { batchShape: [pairs.clean.shape[0]] }
    ));
    let frozen;
    if (frozenPattern !== void 0) {
      const { logits, cache } = model.runWithCache(pairs.corrupted, { names: [frozenPattern] });
      logits.dispose();
      frozen = tf2.keep(cache.getTensor(frozenPattern).clone());
      cache.dispose();
    }
    try {
      var _stack = [];
      try {
        const _held = __using(_stack, frozen === void 0 ? void 0 : steeringVectors2({
          modules: [frozenPattern ?? ""],
          steer: () => frozen.clone()
        }).prepare(model));
        const prepared = __using(_stack, activationPatching({
          modules: [{ path: `blocks.${String(layer)}.attn.hook_z`, featureAxis: 2, indices: [head] }]
        }).prepare(model));
        const result = __using(_stack, prepared.run(data));
        const output = result.getTensor(["patched", "output"]);
        const metric = pairs.metric(output, [output]);
        try {
          return mean2(metric.dataSync());
        } finally {
          metric.dispose();
        }
      } catch (_) {
        var _error = _, _hasError = true;
      } finally {
        __callDispose(_stack, _error, _hasError);
      }
    } finally {
      frozen?.dispose();
    }
  } catch (_2) {
    var _error2 = _2, _hasError2 = true;
  } finally {
    __callDispose(_stack2, _error2, _hasError2);
  }
}
function frozenPatternCheck(model, pairs, head, baseline) {
  return {
    head,
    label: `L0H${String(head)}`,
    effect: patchedMetric(model, pairs, 0, head, void 0) - baseline,
    frozenEffect: patchedMetric(model, pairs, 0, head, "blocks.1.attn.hook_pattern") - baseline
  };
}

// src/intervention/head-ablation.ts
import * as tf3 from "@tensorflow/tfjs-core";
import { KeyedModel, TensorDict as TensorDict3 } from "@tdhook/core";
import { steeringVectors as steeringVectors3 } from "@tdhook/intervention";
import { ioiTemplates } from "@tdhook/nlp-assets";
function batches(tokenizer, prompts) {
  const first = (text) => tokenizer.encode(text)[0] ?? 0;
  return ioiTemplates.map((_, template) => prompts.filter((prompt) => prompt.template === template)).filter((group) => group.length > 0).map((group) => ({
    data: new TensorDict3(
      {
        input: tf3.tensor2d(
          group.map((prompt) => tokenizer.encode(prompt.text)),
          void 0,
          "int32"
        )
      },
      { batchShape: [group.length] }
    ),
    answers: group.map((prompt) => first(prompt.answer)),
    subjects: group.map((prompt) => first(prompt.subject))
  }));
}
function logitDifferenceSum(logits, batch) {
  const [rows = 0, positions = 0, vocabulary = 0] = logits.shape;
  const last = tf3.tidy(
    () => tf3.reshape(tf3.slice(logits, [0, positions - 1, 0], [rows, 1, vocabulary]), [rows, vocabulary])
  );
  const values = last.arraySync();
  last.dispose();
  return values.reduce(
    (sum, row2, i) => sum + (row2[batch.answers[i] ?? 0] ?? 0) - (row2[batch.subjects[i] ?? 0] ?? 0),
    0
  );
}
function meanOver(all, run) {
  let sum = 0;
  let count = 0;
  for (const batch of all) {
    var _stack = [];
    try {
      const result = __using(_stack, run(batch.data));
      sum += logitDifferenceSum(result.getTensor("output"), batch);
      count += batch.answers.length;
    } catch (_) {
      var _error = _, _hasError = true;
    } finally {
      __callDispose(_stack, _error, _hasError);
    }
  }
  return sum / count;
}
function ablateHeads(model, tokenizer, prompts) {
  const all = batches(tokenizer, prompts);
  try {
    const { nLayers, nHeads } = model.config;
    const keyed = new KeyedModel(model);
    const clean = meanOver(all, (data) => keyed.run(data));
    const labels = [];
    const ablated = [];
    for (let layer = 0; layer < nLayers; layer++) {
      for (let head = 0; head < nHeads; head++) {
        var _stack = [];
        try {
          const target = { path: `blocks.${String(layer)}.attn.hook_z`, featureAxis: 2, indices: [head] };
          const prepared = __using(_stack, steeringVectors3({
            modules: [target],
            steer: ({ output }) => tf3.zerosLike(output)
          }).prepare(model));
          labels.push(`L${String(layer)}H${String(head)}`);
          ablated.push(meanOver(all, (data) => prepared.run(data)));
        } catch (_) {
          var _error = _, _hasError = true;
        } finally {
          __callDispose(_stack, _error, _hasError);
        }
      }
    }
    return { prompts: prompts.length, clean, labels, ablated };
  } finally {
    for (const batch of all) batch.data.dispose();
  }
}

// src/intervention/ioi-pairs.ts
import * as tf4 from "@tensorflow/tfjs-core";
import { logitDifference } from "@tdhook/intervention";
import { createRandom, ioiNames, randomInt } from "@tdhook/nlp-assets";
function replaceSubject(prompt, name) {
  const at = prompt.text.lastIndexOf(prompt.subject);
  return `${prompt.text.slice(0, at)}${name}${prompt.text.slice(at + prompt.subject.length)}`;
}
function corruptTexts(prompts, corruption, seed) {
  if (corruption === "flip") return prompts.map((prompt) => replaceSubject(prompt, prompt.answer));
  const random = createRandom(seed + 1);
  return prompts.map((prompt) => {
    let third = prompt.answer;
    while (third === prompt.answer || third === prompt.subject) {
      third = ioiNames[randomInt(random, ioiNames.length)] ?? "";
    }
    return replaceSubject(prompt, third);
  });
}
function ioiPairs(tokenizer, prompts, corruption, seed) {
  const corruptedTexts = corruptTexts(prompts, corruption, seed);
  const cleanIds = prompts.map((prompt) => tokenizer.encode(prompt.text));
  const corruptedIds = corruptedTexts.map((text) => tokenizer.encode(text));
  const positions = cleanIds[0]?.length ?? 0;
  if ([...cleanIds, ...corruptedIds].some((ids) => ids.length !== positions)) {
    throw new Error("ioiPairs: prompts of one template, each name one token, have one length");
  }
  const first = (text) => tokenizer.encode(text)[0] ?? 0;
  return {
    corruption,
    clean: tf4.tensor2d(cleanIds, void 0, "int32"),
    corrupted: tf4.tensor2d(corruptedIds, void 0, "int32"),
    metric: logitDifference({
      answer: prompts.map((prompt) => first(prompt.answer)),
      versus: prompts.map((prompt) => first(prompt.subject))
    }),
    example: { clean: prompts[0]?.text ?? "", corrupted: corruptedTexts[0] ?? "" },
    positions
  };
}

// src/intervention/ioi-patching.ts
import { performance as performance3 } from "node:perf_hooks";
import { TensorDict as TensorDict4 } from "@tdhook/core";
import { transformerLrpComposite } from "@tdhook/adapter-nlp";
import {
  activationPatchingGrid,
  attributionPatching,
  LabelledGrid,
  pearson,
  spearman
} from "@tdhook/intervention";
var mean3 = (values) => Array.from(values).reduce((sum, value) => sum + value, 0) / values.length;
function comparePatching(model, pairs, sites) {
  var _stack3 = [];
  try {
    const data = __using(_stack3, new TensorDict4(
      { input: pairs.clean.clone(), patched: { input: pairs.corrupted.clone() } },
      { batchShape: [pairs.clean.shape[0]] }
    ));
    let started = performance3.now();
    let cleanMetric = Number.NaN;
    let corruptedMetric = Number.NaN;
    let patching;
    {
      var _stack = [];
      try {
        const prepared = __using(_stack, activationPatchingGrid({ sites, metric: pairs.metric }).prepare(model));
        const result = __using(_stack, prepared.run(data));
        patching = LabelledGrid.fromSamples(result.getTensor(["patching", "effect"]), sites);
        cleanMetric = mean3(result.getTensor(["patching", "source_metric"]).dataSync());
        corruptedMetric = mean3(result.getTensor(["patching", "baseline_metric"]).dataSync());
      } catch (_) {
        var _error = _, _hasError = true;
      } finally {
        __callDispose(_stack, _error, _hasError);
      }
    }
    const patchingSeconds = (performance3.now() - started) / 1e3;
    const estimates = [];
    for (const method of ["atp", "relp"]) {
      var _stack2 = [];
      try {
        started = performance3.now();
        const prepared = __using(_stack2, attributionPatching({
          sites,
          metric: pairs.metric,
          method,
          ...method === "relp" ? { composite: transformerLrpComposite() } : {}
        }).prepare(model));
        const result = __using(_stack2, prepared.run(data));
        const grid = LabelledGrid.fromSamples(result.getTensor([method, "estimate"]), sites);
        estimates.push({
          name: method === "atp" ? "AtP" : "RelP",
          grid,
          pearson: pearson(grid.values, patching.values),
          spearman: spearman(grid.values, patching.values),
          seconds: (performance3.now() - started) / 1e3
        });
      } catch (_2) {
        var _error2 = _2, _hasError2 = true;
      } finally {
        __callDispose(_stack2, _error2, _hasError2);
      }
    }
    return { patching, patchingSeconds, estimates, cleanMetric, corruptedMetric };
  } catch (_3) {
    var _error3 = _3, _hasError3 = true;
  } finally {
    __callDispose(_stack3, _error3, _hasError3);
  }
}

// src/intervention/ioi-study.ts
var patchedPrompts = { count: 24, template: 0, seed: 15 };
async function studyIoi(context) {
  const { model, tokenizer } = await loadIoiModel();
  const { count, template, seed } = patchedPrompts;
  const prompts = generateIoiPrompts({ seed, count, split: "held-out", template });
  const abc = ioiPairs(tokenizer, prompts, "abc", seed);
  const flip = ioiPairs(tokenizer, prompts, "flip", seed);
  try {
    const { value: heads } = await context.timed(
      `IOI model: activation patching, AtP and RelP per head (${String(count)} ABC prompt pairs)`,
      () => comparePatching(model, abc, headSites(model.config))
    );
    const { value: positions } = await context.timed(
      "IOI model: the same per (layer, position) of the residual stream",
      () => comparePatching(model, abc, layerPositionSites(model.config, { positions: abc.positions }))
    );
    const { value: flippedHeads } = await context.timed(
      "IOI model: the same per head on pairs whose answer flips",
      () => comparePatching(model, flip, headSites(model.config))
    );
    const { nHeads } = model.config;
    const strongest = Array.from({ length: nHeads }, (_, head) => head).reduce(
      (a, b2) => heads.patching.at(0, b2) > heads.patching.at(0, a) ? b2 : a
    );
    const frozen = frozenPatternCheck(model, abc, strongest, heads.corruptedMetric);
    const held = ioiTemplates2.flatMap(
      (_, index) => generateIoiPrompts({ seed: 7 + index, count: 32, split: "held-out", template: index })
    );
    const { value: ablation } = await context.timed(
      `IOI model: ${String(model.config.nLayers * nHeads)} head ablations through steeringVectors`,
      () => ablateHeads(model, tokenizer, held)
    );
    return {
      heads,
      positions,
      flippedHeads,
      frozen,
      ablation,
      positionCount: abc.positions,
      examples: { abc: abc.example, flip: flip.example }
    };
  } finally {
    for (const pairs of [abc, flip]) {
      pairs.clean.dispose();
      pairs.corrupted.dispose();
    }
    model.dispose();
  }
}

// src/intervention/ioi-report.ts
var heatmapCell = 80;
var signed = (value) => value > 0 ? `+${fmt(value)}` : fmt(value);
var correlations = (estimate) => `r ${(estimate?.pearson ?? Number.NaN).toFixed(2)}, rho ${(estimate?.spearman ?? Number.NaN).toFixed(2)}`;
function headHeatmaps(context, heads) {
  const [atp, relp] = heads.estimates;
  const cells = heads.patching.values.length;
  return context.png(
    "intervention-ioi-heads.png",
    gridPanels(
      [
        { title: "activation\npatching", grid: heads.patching },
        { title: `AtP
${correlations(atp)}`, grid: atp?.grid ?? heads.patching },
        { title: `RelP
${correlations(relp)}`, grid: relp?.grid ?? heads.patching }
      ],
      heatmapCell
    ),
    `Per head (layer \xD7 head, hook_z), ABC pairs: how far patching one head from the clean prompt into the corrupted one moves logit(answer) \u2212 logit(subject) back (mean over ${String(patchedPrompts.count)} pairs), next to the AtP and RelP estimates of the same effect (r: Pearson, rho: Spearman, over the ${String(cells)} heads). Each panel has its own symmetric colour scale.`
  );
}
function ablationFigure(ablation) {
  return {
    kind: "svg",
    svg: barChartSvg({
      title: "IOI model: drop of the logit difference when one head is zeroed",
      yLabel: "drop of logit(answer) \u2212 logit(subject)",
      labels: ablation.labels,
      values: ablation.ablated.map((value) => ablation.clean - value),
      format: (value) => value.toFixed(2)
    }),
    caption: `Head ablations through steeringVectors: a steer that returns zeros on the Target { path: 'blocks.L.attn.hook_z', featureAxis: 2, indices: [H] }, on the IOI section's ${String(ablation.prompts)} held-out prompts (clean mean logit difference ${fmt(ablation.clean)}). The IOI section's table computes the same numbers with a hand-written hook.`
  };
}
function correlationRow(corruption, grid, comparison) {
  const [atp, relp] = comparison.estimates;
  const time = (seconds) => (seconds ?? Number.NaN).toFixed(2);
  return [
    corruption,
    grid,
    String(comparison.patching.values.length),
    fmt(atp?.pearson ?? Number.NaN),
    fmt(atp?.spearman ?? Number.NaN),
    fmt(relp?.pearson ?? Number.NaN),
    fmt(relp?.spearman ?? Number.NaN),
    `${time(comparison.patchingSeconds)} / ${time(atp?.seconds)} / ${time(relp?.seconds)}`
  ];
}
function correlationTable(ioi) {
  return {
    caption: `How well AtP and RelP predict activation patching on the IOI model: correlations over the sites of each grid, effects averaged over ${String(patchedPrompts.count)} clean \u2192 corrupted prompt pairs`,
    header: [
      "corruption",
      "grid",
      "sites",
      "AtP Pearson",
      "AtP Spearman",
      "RelP Pearson",
      "RelP Spearman",
      "seconds: patching / AtP / RelP"
    ],
    rows: [
      correlationRow("ABC (a third name)", "per head (hook_z)", ioi.heads),
      correlationRow(
        "ABC (a third name)",
        `residual stream (hook_resid_pre), layer \xD7 position (${String(ioi.positionCount)} tokens)`,
        ioi.positions
      ),
      correlationRow("flip (the answer repeated)", "per head (hook_z)", ioi.flippedHeads)
    ]
  };
}
function headTable(ablation, heads) {
  const [atp, relp] = heads.estimates;
  return {
    caption: "Per head: zeroed (ablation, on the IOI section\u2019s prompts) and patched alone from clean into corrupted (on the ABC pairs), with the two estimates of the patching effect",
    header: ["head", "mean logit difference, ablated", "drop", "patching effect", "AtP", "RelP"],
    rows: ablation.labels.map((label, index) => [
      label,
      fmt(ablation.ablated[index] ?? Number.NaN),
      fmt(ablation.clean - (ablation.ablated[index] ?? Number.NaN)),
      signed(heads.patching.values[index] ?? Number.NaN),
      signed(atp?.grid.values[index] ?? Number.NaN),
      signed(relp?.grid.values[index] ?? Number.NaN)
    ])
  };
}

// src/intervention/mnist-channel-patching.ts
import { imagesToTensor, loadModel, readImage } from "@tdhook/adapter-cv";
import { KeyedModel as KeyedModel2, TensorDict as TensorDict5 } from "@tdhook/core";
import { digitPaths, mnistCnnDir } from "@tdhook/cv-assets";
import {
  activationPatching as activationPatching2,
  activationPatchingGrid as activationPatchingGrid2,
  LabelledGrid as LabelledGrid2,
  logitDifference as logitDifference2,
  unitSites
} from "@tdhook/intervention";
var digitPair = { source: 4, receiver: 9 };
var channels = 16;
var row = (data, key) => Array.from(data.getTensor(key).dataSync());
function patchedLogits(model, data, modules) {
  var _stack = [];
  try {
    const prepared = __using(_stack, activationPatching2({ modules }).prepare(model));
    const result = __using(_stack, prepared.run(data));
    return row(result, ["patched", "output"]);
  } catch (_) {
    var _error = _, _hasError = true;
  } finally {
    __callDispose(_stack, _error, _hasError);
  }
}
async function patchMnistChannels() {
  const { model } = await loadModel(mnistCnnDir);
  const layers = model;
  const source2 = await readImage(digitPaths[digitPair.source] ?? "");
  const receiver2 = await readImage(digitPaths[digitPair.receiver] ?? "");
  try {
    var _stack2 = [];
    try {
      const data = __using(_stack2, new TensorDict5(
        {
          input: imagesToTensor([source2], { channels: 1, normalisation: "unit" }),
          patched: { input: imagesToTensor([receiver2], { channels: 1, normalisation: "unit" }) }
        },
        { batchShape: [1] }
      ));
      const sites = unitSites({
        path: "conv2",
        axis: -1,
        indices: Array.from({ length: channels }, (_3, channel) => channel),
        name: "channel"
      });
      const metric = logitDifference2({ answer: digitPair.source, versus: digitPair.receiver });
      let effects;
      let baseline;
      let sourceMetric;
      {
        var _stack = [];
        try {
          const prepared = __using(_stack, activationPatchingGrid2({ sites, metric }).prepare(layers));
          const result = __using(_stack, prepared.run(data));
          effects = LabelledGrid2.fromSamples(result.getTensor(["patching", "effect"]), sites);
          baseline = row(result, ["patching", "baseline_metric"])[0] ?? Number.NaN;
          sourceMetric = row(result, ["patching", "source_metric"])[0] ?? Number.NaN;
        } catch (_) {
          var _error = _, _hasError = true;
        } finally {
          __callDispose(_stack, _error, _hasError);
        }
      }
      const ranking = Array.from(effects.values.keys()).sort(
        (a, b2) => (effects.values[b2] ?? 0) - (effects.values[a] ?? 0)
      );
      const keyed = new KeyedModel2(layers);
      const plain = __using(_stack2, keyed.run(data));
      const receiverOnly = __using(_stack2, keyed.run(data.getDict("patched")));
      return {
        effects,
        baseline,
        source: sourceMetric,
        ranking,
        logits: {
          receiver: row(receiverOnly, ["output"]),
          patched: [1, 4, 8].map(
            (count) => [
              count,
              patchedLogits(layers, data, [{ path: "conv2", indices: ranking.slice(0, count) }])
            ]
          ),
          source: row(plain, ["output"])
        }
      };
    } catch (_2) {
      var _error2 = _2, _hasError2 = true;
    } finally {
      __callDispose(_stack2, _error2, _hasError2);
    }
  } finally {
    layers.dispose();
  }
}

// src/intervention/mnist-report.ts
var { source, receiver } = digitPair;
function channelFigure(mnist) {
  const strongest = mnist.ranking[0] ?? 0;
  return {
    kind: "svg",
    svg: barChartSvg({
      title: `MNIST CNN: one conv2 channel copied from a ${String(source)} into a ${String(receiver)}`,
      yLabel: `change of logit(${String(source)}) \u2212 logit(${String(receiver)})`,
      labels: mnist.effects.axes[0]?.labels.map((label) => `c${label}`) ?? [],
      values: Array.from(mnist.effects.values),
      highlight: /* @__PURE__ */ new Set([strongest]),
      format: (value) => value.toFixed(2),
      footnote: `conv2 channel (red: the strongest). Unpatched: ${fmt(mnist.baseline)}; the ${String(source)} itself: ${fmt(mnist.source)}.`
    }),
    caption: `unitSites over conv2's 16 channels + activationPatchingGrid with logitDifference({ answer: ${String(source)}, versus: ${String(receiver)} }): each channel of the ${String(source)}'s conv2 output written into the ${String(receiver)}'s run, all 16 patched runs in one batched call.`
  };
}
function logitTable(mnist) {
  const { patched } = mnist.logits;
  const named = (count) => count === 1 ? `+ channel ${String(mnist.ranking[0])}` : `+ the strongest ${String(count)} channels`;
  return {
    caption: `MNIST CNN logits of the ${String(receiver)} with conv2 channels patched from the ${String(source)} (activationPatching on a Target with those channels), strongest first (${mnist.ranking.slice(0, 8).join(", ")}); the ${String(source)}'s own logits are those of all 16 patched`,
    header: [
      "class",
      `the ${String(receiver)}`,
      ...patched.map(([count]) => named(count)),
      `the ${String(source)}`
    ],
    rows: mnist.logits.receiver.map((value, digit) => [
      String(digit),
      fmt(value),
      ...patched.map(([, logits]) => fmt(logits[digit] ?? Number.NaN)),
      fmt(mnist.logits.source[digit] ?? Number.NaN)
    ])
  };
}

// src/intervention/steering-report.ts
function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
function column(label, texts) {
  const samples = texts.slice(0, 2).map(
    (text) => `<pre style="white-space:pre-wrap;margin:0 0 0.5rem;font-size:0.85rem"><span style="color:#888">${escapeHtml(steeringSetup.prompt)}</span>${escapeHtml(text)}</pre>`
  ).join("");
  return `<div><p style="margin:0.3rem 0;font-weight:600">${escapeHtml(label)}</p>${samples}</div>`;
}
function steeringFigure(steering) {
  const unsteered = steering.runs[0];
  const shown = steering.runs.find((run) => run.coefficient === steeringSetup.shown);
  return {
    kind: "html",
    html: `<div style="display:grid;grid-template-columns:1fr 1fr;gap:1.2rem">${column(
      "without steering",
      unsteered?.texts ?? []
    )}${column(`with the vector \xD7 ${String(steeringSetup.shown)}`, shown?.texts ?? [])}</div>`,
    caption: `The character model continues \u201C${steeringSetup.prompt.trim()}\u201D (grey) by ${String(steeringSetup.newTokens)} characters, sampled at temperature ${String(steeringSetup.temperature)} with seed ${String(steeringSetup.seed)}: the first two of ${String(steeringSetup.samples)} samples, the same seed with and without the activation-addition vector.`
  };
}
function steeringTable(steering) {
  return {
    caption: `Activation addition on the character model: dialogue marks (\u201C \u201D \u2018 \u2019 ! ?) per 100 generated characters over ${String(steeringSetup.samples)} samples of ${String(steeringSetup.newTokens)} characters, per coefficient of the vector (norm ${fmt(steering.vectorNorm)}; the residual stream at ${steeringSetup.hook} has a mean norm of ${fmt(steering.residualNorm)} on the prompt)`,
    header: ["coefficient", "dialogue marks per 100 characters", "added norm / residual norm"],
    rows: steering.runs.map((run) => [
      String(run.coefficient),
      run.marksPer100.toFixed(1),
      fmt(run.coefficient * steering.vectorNorm / steering.residualNorm)
    ])
  };
}

// src/intervention/intervention-section.ts
function disagreement(ioi) {
  const { frozen, heads, flippedHeads } = ioi;
  const { head, label } = frozen;
  const [atp, relp] = heads.estimates;
  const flippedAtp = flippedHeads.estimates[0];
  const layerOne = (grid) => (grid?.rows()[1] ?? []).reduce((sum, value) => sum + value, 0);
  const percent = (estimate) => `${(100 * layerOne(estimate?.grid) / layerOne(heads.patching)).toFixed(0)} %`;
  const at = (grid) => signed(grid?.at(0, head) ?? Number.NaN);
  const paragraphs = [
    `Where the estimates disagree: ${label}. Patched alone it moves the metric by ${signed(frozen.effect)}; AtP says ${at(atp?.grid)}, RelP ${at(relp?.grid)}.`,
    `Its effect runs through layer 1\u2019s attention pattern (which name the layer-1 heads read): with that pattern held at its corrupted value (steeringVectors on blocks.1.attn.hook_pattern, next to activationPatching), patching ${label} moves the metric by only ${signed(frozen.frozenEffect)}.`,
    "RelP\u2019s transformer rules hold the attention pattern constant by design (relevance flows through the values only), so RelP sees only that rest; AtP\u2019s gradient goes through the softmax, and is right as long as the softmax is close to linear.",
    `The softmax is far from linear on pairs whose answer flips (the indirect object repeated instead of a third name: \u201C${ioi.examples.flip.corrupted}\u201D, metric ${fmt(flippedHeads.corruptedMetric)} on them, the model confident the other way): there AtP misses ${label} too (patching ${at(flippedHeads.patching)}, AtP ${at(flippedAtp?.grid)}; per-head r ${fmt(flippedAtp?.pearson ?? Number.NaN)}).`,
    `Layer 1\u2019s heads act through their values, and both estimates follow them (their summed effect: AtP ${percent(atp)}, RelP ${percent(relp)}). On the residual stream only the subject\u2019s position and the last one differ, and both estimates are close to exact (r ${fmt(ioi.positions.estimates[0]?.pearson ?? Number.NaN)} and ${fmt(ioi.positions.estimates[1]?.pearson ?? Number.NaN)}).`
  ];
  return [paragraphs.slice(0, 3).join(" "), paragraphs.slice(3).join(" ")];
}
function mnistParagraph(mnist) {
  const { source: source2, receiver: receiver2 } = digitPair;
  const strongest = mnist.ranking[0] ?? 0;
  const against = Array.from(mnist.effects.values).filter((value) => value < 0).length;
  const argmax = (logits) => logits.indexOf(Math.max(...logits));
  const flips = mnist.logits.patched.find(([, logits]) => argmax(logits) === source2)?.[0];
  return `Vision: activation patching works on any hookable model. On the MNIST CNN (a TF.js Layers model) a single conv2 channel of a ${String(source2)} does not turn a ${String(receiver2)} into a ${String(source2)}: the strongest, channel ${String(strongest)}, moves logit(${String(source2)}) \u2212 logit(${String(receiver2)}) by ${signed(mnist.effects.values[strongest] ?? Number.NaN)} from ${fmt(mnist.baseline)}, and ${String(against)} of the 16 ${against === 1 ? "pushes" : "push"} the other way. The evidence is spread over the channels: ${flips === void 0 ? "even the strongest 8 together do not flip the class" : `the strongest ${String(flips)} together make the ${String(receiver2)} a ${String(source2)}`} (the table).`;
}
async function interventionSection(context) {
  const started = performance4.now();
  const ioi = await studyIoi(context);
  const heatmaps = headHeatmaps(context, ioi.heads);
  const { value: steering } = await context.timed(
    "Character model: activation-addition steering of generation",
    async () => {
      const { model, tokenizer } = await loadMobyCharModel();
      try {
        return await steerCharModel(model, tokenizer);
      } finally {
        model.dispose();
      }
    }
  );
  const { value: mnist } = await context.timed(
    `MNIST CNN: conv2 channels patched from a ${String(digitPair.source)} into a ${String(digitPair.receiver)}`,
    () => patchMnistChannels()
  );
  const seconds = (performance4.now() - started) / 1e3;
  const unsteered = steering.runs[0];
  const shown = steering.runs.find((run) => run.coefficient === steeringSetup.shown);
  return {
    id: "intervention",
    title: "Intervention: activation patching, attribution patching and steering",
    shortTitle: "intervention",
    paragraphs: [
      `@tdhook/intervention writes into a model instead of reading it. On the IOI model it patches the ${String(patchedPrompts.count)} held-out prompt pairs of its AtP/RelP study (docs/atp-relp-study.md, whose numbers this recomputes): the ABC corruption replaces the repeated subject by a third name (\u201C${ioi.examples.abc.clean}\u201D \u2192 \u201C${ioi.examples.abc.corrupted}\u201D), so nothing tells the indirect object from the subject any more. The metric is logit(answer) \u2212 logit(subject) of the clean prompt at the last position: ${fmt(ioi.heads.cleanMetric)} on the clean prompts, ${fmt(ioi.heads.corruptedMetric)} on the corrupted ones.`,
      "activationPatchingGrid copies one site at a time from the clean run into the corrupted run (all sites and prompts stacked into batched passes) and measures how far the metric moves back; attributionPatching estimates every one of those effects from two forward passes and one backward pass: AtP multiplies the activation difference by the metric\u2019s gradient, RelP by the LRP relevance of the transformer rules instead. The first table gives their Pearson and Spearman correlations with real patching, per grid.",
      ...disagreement(ioi),
      `Steering: activationAddition takes the character model\u2019s residual stream at ${steeringSetup.hook} on a line of dialogue, \xAB${steeringSetup.positive}\xBB, minus a line of narration of the same length, \xAB${steeringSetup.negative}\xBB; averaged over positions, steeringVectors + addVector add it at every step of adapter-nlp\u2019s generate. With the vector \xD7 ${String(steeringSetup.shown)} the samples hold ${shown?.marksPer100.toFixed(1) ?? "?"} dialogue marks per 100 characters instead of ${unsteered?.marksPer100.toFixed(1) ?? "?"}; larger coefficients push the small model off its text.`,
      `${mnistParagraph(mnist)} This section took ${seconds.toFixed(1)} s.`
    ],
    figures: [heatmaps, ablationFigure(ioi.ablation), steeringFigure(steering), channelFigure(mnist)],
    tables: [
      correlationTable(ioi),
      headTable(ioi.ablation, ioi.heads),
      steeringTable(steering),
      logitTable(mnist)
    ]
  };
}

// .scratch/section.ts
var b = await initBackend();
console.log(b.backend);
var before = tf5.memory().numTensors;
var t = performance.now();
var ctx = new DemoContext("/tmp/iv-out");
var s = await interventionSection(ctx);
console.log("section s", ((performance.now() - t) / 1e3).toFixed(1), "leak", tf5.memory().numTensors - before);
writeFileSync2("/tmp/iv-out/index.html", htmlReport("t", [], [s]));
for (const p of s.paragraphs) console.log(p);
for (const t2 of s.tables.slice(0, 2)) {
  console.log(t2.header.join(" | "));
  for (const r of t2.rows) console.log(r.join(" | "));
}
