/*
 * Test driver: runs book/static/lrlab-models.js on a job read from a JSON file and
 * prints the results as JSON. Used by tests/test_js_models.py and
 * tests/test_explorer_specs.py; non-finite numbers are written as "nan", "inf", "-inf".
 */
"use strict";
const fs = require("fs");
const path = require("path");
const models = require(path.join(__dirname, "..", "..", "book", "static", "lrlab-models.js"));

function clean(v) {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (v === Infinity) return "inf";
    if (v === -Infinity) return "-inf";
    return v;
  }
  if (typeof v === "bigint") return ["i", Number(v)];
  if (ArrayBuffer.isView(v)) return Array.from(v, clean);
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v)) out[k] = clean(v[k]);
    return out;
  }
  return v;
}

function typed(v) {
  if (typeof v === "bigint") return ["i", Number(v)];
  if (typeof v === "number") return ["f", clean(v)];
  if (typeof v === "boolean") return ["b", v];
  return ["s", v];
}

function attempt(fn) {
  try {
    return fn();
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
}

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let results;
const started = process.hrtime.bigint();
if (job.kind === "schedule") {
  results = job.cases.map((c) =>
    attempt(() => {
      const s = models.evalValue(c.tree, {});
      const out = { lr: c.steps.map((t) => clean(s.lr(t))) };
      if (c.momentum) out.momentum = c.steps.map((t) => clean(s.mom(t)));
      return out;
    })
  );
} else if (job.kind === "model") {
  results = job.cases.map((c) =>
    attempt(() => {
      const params = {};
      for (const [name, tree] of c.params) params[name] = models.evalValue(tree, {});
      const out = models.computeModel(c.name, params);
      const picked = {};
      for (const name of Object.keys(out)) picked[name] = clean(out[name]);
      return picked;
    })
  );
} else if (job.kind === "format") {
  results = job.cases.map(([value, spec]) => attempt(() => models.pyFormat(models.literal(value), spec)));
} else if (job.kind === "expr") {
  results = job.cases.map(([tree, env]) =>
    attempt(() => {
      const scope = {};
      for (const name of Object.keys(env)) scope[name] = models.literal(env[name]);
      return typed(models.evalExpr(tree, scope));
    })
  );
} else if (job.kind === "explorer") {
  const cache = {};
  results = job.states.map((positions) =>
    attempt(() => {
      const data = models.evaluateExplorer(job.spec, positions, cache);
      return clean({
        alt: models.runsText(data.alt),
        panels: data.panels.map((p) => ({
          title: models.runsText(p.title),
          xlabel: models.runsText(p.xlabel),
          ylabel: models.runsText(p.ylabel),
          logx: p.logx,
          logy: p.logy,
          xlim: p.xlim,
          ylim: p.ylim,
          series: p.series.map((s) => ({
            kind: s.kind,
            visible: s.visible,
            label: s.label ? models.runsText(s.label) : null,
            x: s.x,
            y: s.y,
            low: s.low,
            high: s.high,
            at: s.at,
          })),
        })),
      });
    })
  );
} else {
  throw new Error("unknown job kind " + job.kind);
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ ms: ms, results: results }));
