/*
 * LR Lab explorers in the page: controls and an SVG figure, computed live.
 *
 * lrlab.widgets.Explorer.show() leaves a hidden block
 *   <div class="lrlab-explorer-spec" hidden><script type="application/json">...</script></div>
 * holding the explorer's declaration (controls, panels, series, expressions).
 * This script builds the controls, and on every input computes the figure with
 * lrlab-models.js (which must load first) and draws it as SVG at the width of
 * the page, panels side by side or stacked on a narrow screen. Every
 * combination of controls is computed, none is precomputed.
 *
 * For tests, each explorer element carries `lrlab`: its spec, the control
 * positions, the data last drawn, `set(i, k)` and the redraw times in ms.
 */
(function () {
  "use strict";

  var M = window.lrlabModels;
  var SVG = "http://www.w3.org/2000/svg";
  var TICK = 4.5;
  var PAD = 4;
  var FONT = 12; // tick labels, px
  var LABEL_FONT = 13;
  var TITLE_FONT = 13;
  var MIN_PANEL = 300; // narrower than this per panel: stack the panels
  var MARGIN = 0.05; // lrlab.widgets.MARGIN
  var PT = 1.33; // CSS pixels per point
  var count = 0;

  function node(name, attrs, parent) {
    var el = document.createElementNS(SVG, name);
    for (var key in attrs) {
      if (attrs[key] !== undefined && attrs[key] !== null) el.setAttribute(key, attrs[key]);
    }
    if (parent) parent.appendChild(el);
    return el;
  }

  // Styled runs [[text, flags]] as tspans: i italic, w bold, b subscript, p superscript.
  function runs(parent, list, attrs) {
    var el = node("text", attrs, parent);
    if (list.length === 1 && !list[0][1]) {
      el.textContent = list[0][0];
      return el;
    }
    var shift = 0;
    list.forEach(function (run) {
      var flags = run[1];
      var want = flags.indexOf("b") >= 0 ? 0.3 : flags.indexOf("p") >= 0 ? -0.45 : 0;
      var span = node("tspan", {}, el);
      if (want !== shift) span.setAttribute("dy", (want - shift).toFixed(2) + "em");
      shift = want;
      if (flags.indexOf("b") >= 0 || flags.indexOf("p") >= 0) span.setAttribute("font-size", "75%");
      if (flags.indexOf("i") >= 0) span.setAttribute("font-style", "italic");
      if (flags.indexOf("w") >= 0) span.setAttribute("font-weight", "bold");
      span.textContent = run[0];
    });
    if (shift !== 0) {
      var back = node("tspan", { dy: (-shift).toFixed(2) + "em" }, el);
      back.textContent = "\u200b";
    }
    return el;
  }

  function plain(text) {
    return [[text, ""]];
  }

  // Text widths from a canvas: asking the SVG would lay out the whole page each time.
  var canvas = null;
  var family = "sans-serif";

  function textWidth(size, list) {
    if (!canvas) canvas = document.createElement("canvas").getContext("2d");
    var w = 0;
    list.forEach(function (run) {
      var flags = run[1];
      var px = flags.indexOf("b") >= 0 || flags.indexOf("p") >= 0 ? size * 0.75 : size;
      canvas.font = (flags.indexOf("i") >= 0 ? "italic " : "") + (flags.indexOf("w") >= 0 ? "bold " : "") + px + "px " + family;
      w += canvas.measureText(run[0]).width;
    });
    return w;
  }

  // ------------------------------------------------------------------ scales

  // lrlab.widgets.auto_limits: the finite data range plus 5 % each side (in log10 on a log axis).
  function limits(arrays, log, fixed) {
    var lo = Infinity;
    var hi = -Infinity;
    arrays.forEach(function (a) {
      for (var i = 0; i < a.length; i++) {
        var v = a[i];
        if (!isFinite(v) || (log && v <= 0)) continue;
        if (log) v = Math.log10(v);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    });
    if (lo > hi) {
      lo = log ? -1 : 0;
      hi = 1;
    }
    if (hi === lo) {
      var pad = lo !== 0 ? Math.abs(lo) * MARGIN : 1.0;
      lo -= pad;
      hi += pad;
    }
    var span = hi - lo;
    lo -= MARGIN * span;
    hi += MARGIN * span;
    if (log) {
      lo = Math.pow(10, lo);
      hi = Math.pow(10, hi);
    }
    return [fixed[0] === null ? lo : fixed[0], fixed[1] === null ? hi : fixed[1]];
  }

  function scaler(lim, log, start, size, flip) {
    var lo = log ? Math.log10(lim[0]) : lim[0];
    var hi = log ? Math.log10(lim[1]) : lim[1];
    var span = hi - lo || 1;
    return function (v) {
      if (v === null || v === undefined || !isFinite(v)) return null;
      if (log && v <= 0) return null;
      var f = ((log ? Math.log10(v) : v) - lo) / span;
      var px = flip ? start + size - f * size : start + f * size;
      return Math.max(-1e5, Math.min(1e5, px));
    };
  }

  function minus(s) {
    return s.replace(/^-/, "\u2212");
  }

  // Ticks every 1, 2, 2.5 or 5 times a power of ten, at most `most` of them.
  function linearTicks(lo, hi, most) {
    var span = hi - lo;
    if (!(span > 0)) return { ticks: [], labels: [], offset: null };
    var raw = span / Math.max(most, 1);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = mag * 10;
    [1, 2, 2.5, 5, 10].some(function (m) {
      if (m * mag >= raw) {
        step = m * mag;
        return true;
      }
      return false;
    });
    var ticks = [];
    for (var k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(k * step);
    var biggest = Math.max(Math.abs(lo), Math.abs(hi));
    var power = 0;
    if (biggest >= 1e5 || biggest < 1e-3) power = Math.floor(Math.log10(biggest));
    var unit = Math.pow(10, power);
    var decimals = Math.max(0, -Math.floor(Math.log10(step / unit) + 1e-9));
    if (Math.abs(step / unit / Math.pow(10, -decimals) - 2.5) < 1e-6) decimals += 1;
    var labels = ticks.map(function (t) {
      var v = t / unit;
      if (Math.abs(v) < step / unit / 1e6) v = 0;
      return plain(minus(v.toFixed(decimals)));
    });
    var offset = power ? [["\u00d710", ""], [minus(String(power)), "p"]] : null;
    return { ticks: ticks, labels: labels, offset: offset };
  }

  function logTicks(lo, hi, most) {
    var a = Math.floor(Math.log10(lo) + 1e-9);
    var b = Math.ceil(Math.log10(hi) - 1e-9);
    if (b - a < 1) {
      var lin = linearTicks(lo, hi, most);
      return { ticks: lin.ticks.filter(function (t) { return t > 0; }), labels: lin.labels.filter(function (l, i) { return lin.ticks[i] > 0; }), minor: [], offset: lin.offset };
    }
    var visible = 0;
    for (var v0 = a; v0 <= b; v0++) if (Math.pow(10, v0) >= lo * (1 - 1e-9) && Math.pow(10, v0) <= hi * (1 + 1e-9)) visible++;
    if (visible < 2) return fewDecades(lo, hi, a, b);
    var every = Math.max(1, Math.ceil((b - a + 1) / Math.max(most, 2)));
    var ticks = [];
    var labels = [];
    var minor = [];
    for (var e = a; e <= b; e++) {
      var v = Math.pow(10, e);
      if ((e - a) % every === 0 && v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) {
        ticks.push(v);
        // As the house style's matplotlib (axes.formatter.min_exponent = 3): decimals
        // from 0.001 to 1000, powers of ten beyond.
        labels.push(Math.abs(e) <= 3 ? plain(M.pyFormat(v, "g")) : [["10", ""], [minus(String(e)), "p"]]);
      }
      if (every === 1 && b - a <= 8) {
        for (var m = 2; m <= 9; m++) {
          var u = m * v;
          if (u >= lo && u <= hi) minor.push(u);
        }
      }
    }
    return { ticks: ticks, labels: labels, minor: minor, offset: null };
  }

  // A log axis spanning less than two decades: ticks at 1, 2 and 5 times powers of ten.
  function fewDecades(lo, hi, a, b) {
    var ticks = [];
    var labels = [];
    var minor = [];
    for (var e = a; e <= b; e++) {
      for (var m = 1; m <= 9; m++) {
        var v = m * Math.pow(10, e);
        if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
        if (m === 1 || m === 2 || m === 5) {
          ticks.push(v);
          labels.push(plain(minus(M.pyFormat(v, "g"))));
        } else {
          minor.push(v);
        }
      }
    }
    return { ticks: ticks, labels: labels, minor: minor, offset: null };
  }

  function ticksFor(lim, log, most) {
    if (log) return logTicks(lim[0], lim[1], most);
    var t = linearTicks(lim[0], lim[1], most);
    t.minor = [];
    return t;
  }

  // ------------------------------------------------------------------ drawing

  // matplotlib's dash lengths are in points and scale with the line's width.
  function dashArray(style) {
    var d = style.dash;
    if (!Array.isArray(d) || !d.length) return null;
    var w = Math.max(style.width, 0.5) * PT;
    return d.map(function (v) { return (v * w).toFixed(2); }).join(" ");
  }

  function r1(v) {
    return Math.round(v * 10) / 10;
  }

  // A line's SVG path in pixels. With more points than pixel columns, each column keeps
  // its first, lowest, highest and last point, which draws the same picture. Points
  // every few pixels along the line go to `samples` (for placing the legend).
  function pixelPath(xs, ys, sx, sy, steps, box, samples) {
    var parts = [];
    var pen = false;
    var lastX = 0;
    var lastY = 0;
    var n = ys.length;
    var thin = !steps && n > 2 * box.w;
    var col = NaN;
    var sinceSample = Infinity;
    function emit(x, y) {
      if (pen && steps) parts.push("L" + r1(x) + " " + r1(lastY));
      parts.push((pen ? "L" : "M") + r1(x) + " " + r1(y));
      var inside = x >= box.x && x <= box.x + box.w && y >= box.y && y <= box.y + box.h;
      if (pen) {
        var d = Math.abs(x - lastX) + Math.abs(y - lastY);
        sinceSample += d;
        if (d > 12 && inside) {
          var k = Math.min(100, Math.ceil(d / 6));
          for (var j = 1; j < k; j++) samples.push([lastX + ((x - lastX) * j) / k, lastY + ((y - lastY) * j) / k]);
        }
      }
      if (inside && sinceSample >= 6) {
        samples.push([x, y]);
        sinceSample = 0;
      }
      pen = true;
      lastX = x;
      lastY = y;
    }
    // The current pixel column: its first, lowest, highest and last point (x, y, index).
    var fx, fy, lx, ly, li, hx, hy, hi2, ex, ey, count = 0;
    function flush() {
      if (!count) return;
      emit(fx, fy);
      var loFirst = li < hi2;
      var ax = loFirst ? lx : hx, ay = loFirst ? ly : hy;
      var bx = loFirst ? hx : lx, by = loFirst ? hy : ly;
      if (count > 1) {
        if (ax !== fx || ay !== fy) emit(ax, ay);
        if (bx !== ax || by !== ay) emit(bx, by);
        if (ex !== bx || ey !== by) emit(ex, ey);
      }
      count = 0;
    }
    // A staircase only needs its corners: a point at the level of the previous one
    // extends the step, drawn when the level changes or the line ends.
    var tail = null;
    for (var i = 0; i < n; i++) {
      var x = sx(xs[i]);
      var y = sy(ys[i]);
      if (x === null || y === null) {
        flush();
        if (tail !== null) emit(tail, lastY);
        tail = null;
        pen = false;
        continue;
      }
      if (steps) {
        if (pen && Math.abs(y - lastY) < 0.05) {
          tail = x;
          continue;
        }
        tail = null;
        emit(x, y);
        continue;
      }
      if (!thin) {
        emit(x, y);
        continue;
      }
      var c = Math.round(x);
      if (c !== col) {
        flush();
        col = c;
      }
      if (!count) {
        fx = lx = hx = x;
        fy = ly = hy = y;
        li = hi2 = i;
      } else if (y < ly) {
        lx = x;
        ly = y;
        li = i;
      } else if (y > hy) {
        hx = x;
        hy = y;
        hi2 = i;
      }
      ex = x;
      ey = y;
      count++;
    }
    flush();
    if (tail !== null) emit(tail, lastY);
    return parts.join("");
  }

  function marker(parent, shape, x, y, size, color) {
    var r = size / 2;
    var attrs = { fill: color, stroke: color, "stroke-width": 0.8 };
    if (shape === "s") {
      node("rect", Object.assign(attrs, { x: x - r, y: y - r, width: size, height: size }), parent);
    } else if (shape === "*" || shape === "^" || shape === "v" || shape === "D") {
      var pts = [];
      var n = shape === "*" ? 10 : shape === "D" ? 4 : 3;
      for (var k = 0; k < n; k++) {
        var angle = (Math.PI * 2 * k) / n - Math.PI / 2 + (shape === "v" ? Math.PI : 0);
        var radius = shape === "*" && k % 2 ? r * 0.4 : r;
        pts.push((x + radius * Math.cos(angle)).toFixed(2) + "," + (y + radius * Math.sin(angle)).toFixed(2));
      }
      node("polygon", Object.assign(attrs, { points: pts.join(" ") }), parent);
    } else if (shape === "x" || shape === "+") {
      var a = shape === "x" ? r * 0.8 : r;
      var d = shape === "x"
        ? "M" + (x - a) + " " + (y - a) + "L" + (x + a) + " " + (y + a) + "M" + (x - a) + " " + (y + a) + "L" + (x + a) + " " + (y - a)
        : "M" + (x - a) + " " + y + "L" + (x + a) + " " + y + "M" + x + " " + (y - a) + "L" + x + " " + (y + a);
      node("path", { d: d, stroke: color, "stroke-width": 1.4 }, parent);
    } else {
      node("circle", Object.assign(attrs, { cx: x, cy: y, r: shape === "." ? r * 0.5 : r }), parent);
    }
  }

  function legendSize(entries) {
    var size = FONT;
    var widest = 0;
    entries.forEach(function (e) {
      widest = Math.max(widest, 2.6 * size + textWidth(size, e.label));
    });
    return [widest + 0.8 * size, size * 1.35 * entries.length + 0.4 * size];
  }

  // matplotlib's loc="best": the corner or side covering the fewest drawn points.
  function legendSpot(entries, box, points) {
    var wh = legendSize(entries);
    var w = wh[0];
    var h = wh[1];
    var pad = 0.4 * FONT;
    var spots = [
      [box.x + box.w - w - pad, box.y + pad],
      [box.x + pad, box.y + pad],
      [box.x + pad, box.y + box.h - h - pad],
      [box.x + box.w - w - pad, box.y + box.h - h - pad],
      [box.x + box.w - w - pad, box.y + (box.h - h) / 2],
      [box.x + pad, box.y + (box.h - h) / 2],
      [box.x + (box.w - w) / 2, box.y + pad],
      [box.x + (box.w - w) / 2, box.y + box.h - h - pad],
    ];
    var best = spots[0];
    var fewest = Infinity;
    spots.forEach(function (s) {
      var hits = 0;
      for (var i = 0; i < points.length; i++) {
        var p = points[i];
        if (p[0] >= s[0] && p[0] <= s[0] + w && p[1] >= s[1] && p[1] <= s[1] + h) hits++;
      }
      if (hits < fewest) {
        fewest = hits;
        best = s;
      }
    });
    return [Math.round(best[0]), Math.round(best[1]), w, h];
  }

  function legend(g, entries, place) {
    var size = FONT;
    var row = size * 1.35;
    var handle = 2 * size;
    node("rect", { x: place[0], y: place[1], width: place[2], height: place[3], fill: "#ffffff", "fill-opacity": 0.85, rx: 2 }, g);
    entries.forEach(function (e, i) {
      var y = place[1] + 0.2 * size + row * (i + 0.5);
      var x = place[0] + 0.4 * size;
      var st = e.style;
      if (e.kind === "band") {
        node("rect", { x: x, y: y - size * 0.35, width: handle, height: size * 0.7, fill: st.color, "fill-opacity": st.alpha }, g);
      } else {
        if (st.dash !== "none" && st.width > 0) {
          node("line", { x1: x, x2: x + handle, y1: y, y2: y, stroke: st.color, "stroke-width": st.width * PT, "stroke-dasharray": dashArray(st) }, g);
        }
        if (st.marker) marker(g, st.marker, x + handle / 2, y, Math.max(st.marker_size * PT, 5), st.color);
      }
      runs(g, e.label, { x: x + handle + 0.6 * size, y: y, "font-size": size, fill: "#000", "dominant-baseline": "central" });
    });
  }

  // A group whose children are rebuilt only when `key` changes: a redraw then leaves
  // the texts that did not change (tick labels, axis labels) for the browser to keep.
  function layer(cache, name, parent, key, build) {
    var slot = cache[name];
    if (slot && slot.key === key) return;
    var g = node("g", {});
    build(g);
    if (slot) parent.replaceChild(g, slot.g);
    else parent.appendChild(g);
    cache[name] = { key: key, g: g };
  }

  function drawPanel(svg, panel, frame, id, cache) {
    var shown = panel.series.filter(function (s) { return s.visible; });
    var xs = [];
    var ys = [];
    shown.forEach(function (s) {
      if (s.kind === "line") {
        xs.push(s.x);
        ys.push(s.y);
      } else if (s.kind === "band") {
        xs.push(s.x);
        ys.push(s.low, s.high);
      }
    });
    var xlim = limits(xs, panel.logx, panel.xlim);
    var ylim = limits(ys, panel.logy, panel.ylim);

    // Measure the texts around the box, then place it.
    var yt = ticksFor(ylim, panel.logy, Math.max(3, Math.floor(frame.h / 55)));
    var widest = 0;
    yt.labels.forEach(function (l) {
      widest = Math.max(widest, textWidth(FONT, l));
    });
    var title = panel.title.length > 0;
    var left = frame.x + (panel.ylabel.length ? LABEL_FONT * 1.4 : 0) + widest + TICK + 2 * PAD;
    var top = frame.y + (title ? TITLE_FONT * 1.7 : 8) + (yt.offset ? FONT : 0);
    var right = frame.x + frame.w - 12;
    var bottom = frame.y + frame.h - (TICK + PAD + FONT * 1.2) - (panel.xlabel.length ? LABEL_FONT * 1.5 : 4);
    var box = { x: left, y: top, w: Math.max(right - left, 40), h: Math.max(bottom - top, 40) };
    if (panel.aspect === "equal" && !panel.logx && !panel.logy) {
      var ratio = (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]);
      if (box.h / box.w > ratio) {
        var h = box.w * ratio;
        box.y += (box.h - h) / 2;
        box.h = h;
      } else {
        var w = box.h / ratio;
        box.x += (box.w - w) / 2;
        box.w = w;
      }
    }
    var xt = ticksFor(xlim, panel.logx, Math.max(2, Math.floor(box.w / 75)));
    var sx = scaler(xlim, panel.logx, box.x, box.w, false);
    var sy = scaler(ylim, panel.logy, box.y, box.h, true);
    if (!cache.root) {
      cache.root = node("g", {}, svg);
    }
    var root = cache.root;
    var frameKey = JSON.stringify([box, xlim, ylim, panel.logx, panel.logy, xt, yt, panel.xlabel, panel.ylabel, frame]);

    layer(cache, "back", root, frameKey, function (g) {
      node("rect", { x: box.x, y: box.y, width: box.w, height: box.h, fill: "#ffffff" }, g);
      var grid = node("g", { stroke: "#dddddd", "stroke-width": 0.8 }, g);
      xt.ticks.forEach(function (t) {
        var x = sx(t);
        if (x !== null) node("line", { x1: x, x2: x, y1: box.y, y2: box.y + box.h }, grid);
      });
      yt.ticks.forEach(function (t) {
        var y = sy(t);
        if (y !== null) node("line", { x1: box.x, x2: box.x + box.w, y1: y, y2: y }, grid);
      });
    });

    // The data: always redrawn.
    var points = [];
    var entries = [];
    layer(cache, "plot", root, NaN, function (plotGroup) {
      var clip = node("clipPath", { id: id }, node("defs", {}, plotGroup));
      node("rect", { x: box.x, y: box.y, width: box.w, height: box.h }, clip);
      var plot = node("g", { "clip-path": "url(#" + id + ")" }, plotGroup);
      shown.forEach(function (s) {
        var st = s.style;
        if (s.kind === "line") {
          if (st.dash !== "none" && st.width > 0) {
            node("path", {
              d: pixelPath(s.x, s.y, sx, sy, st.steps, box, points), fill: "none", stroke: st.color,
              "stroke-width": (st.width * PT).toFixed(2), "stroke-dasharray": dashArray(st), "stroke-linejoin": "round",
            }, plot);
          }
          if (st.marker) {
            var g = node("g", {}, plot);
            for (var i = 0; i < s.y.length; i++) {
              var px = sx(s.x[i]);
              var py = sy(s.y[i]);
              if (px === null || py === null) continue;
              points.push([px, py]);
              marker(g, st.marker, px, py, st.marker_size * PT, st.color);
            }
          }
        } else if (s.kind === "band") {
          var up = "";
          var down = "";
          for (var j = 0; j < s.x.length; j++) {
            var bx = sx(s.x[j]);
            var hi = sy(s.high[j]);
            var lo = sy(s.low[j]);
            if (bx === null || hi === null || lo === null) continue;
            up += (up ? "L" : "M") + bx.toFixed(1) + " " + hi.toFixed(1);
            down = "L" + bx.toFixed(1) + " " + lo.toFixed(1) + down;
          }
          if (up) node("path", { d: up + down + "Z", fill: st.color, "fill-opacity": st.alpha, stroke: "none" }, plot);
        } else {
          var vertical = s.kind === "vlines";
          s.at.forEach(function (v) {
            var p = vertical ? sx(v) : sy(v);
            if (p === null) return;
            node("line", vertical
              ? { x1: p, x2: p, y1: box.y, y2: box.y + box.h }
              : { x1: box.x, x2: box.x + box.w, y1: p, y2: p },
              plot).setAttribute("style", "stroke:" + st.color + ";stroke-width:" + st.width * PT + (dashArray(st) ? ";stroke-dasharray:" + dashArray(st) : ""));
          });
        }
        if (s.label && s.label.length) entries.push(s);
      });
    });

    layer(cache, "axes", root, frameKey, function (g) {
      // The house style draws the left and bottom spines only.
      var axes = node("g", { stroke: "#000000", "stroke-width": 0.9, fill: "none" }, g);
      node("path", { d: "M" + box.x + " " + box.y + "V" + (box.y + box.h) + "H" + (box.x + box.w) }, axes);
      var below = box.y + box.h;
      var labelY = below + TICK + PAD + FONT * 0.8;
      xt.ticks.forEach(function (t, i) {
        var x = sx(t);
        if (x === null) return;
        node("line", { x1: x, x2: x, y1: below, y2: below + TICK }, axes);
        runs(g, xt.labels[i], { x: x, y: labelY, "font-size": FONT, "text-anchor": "middle", fill: "#000" });
      });
      (xt.minor || []).forEach(function (t) {
        var x = sx(t);
        if (x !== null) node("line", { x1: x, x2: x, y1: below, y2: below + TICK * 0.6 }, axes);
      });
      yt.ticks.forEach(function (t, i) {
        var y = sy(t);
        if (y === null) return;
        node("line", { x1: box.x - TICK, x2: box.x, y1: y, y2: y }, axes);
        runs(g, yt.labels[i], { x: box.x - TICK - PAD, y: y, "font-size": FONT, "text-anchor": "end", "dominant-baseline": "central", fill: "#000" });
      });
      (yt.minor || []).forEach(function (t) {
        var y = sy(t);
        if (y !== null) node("line", { x1: box.x - TICK * 0.6, x2: box.x, y1: y, y2: y }, axes);
      });
      if (xt.offset) runs(g, xt.offset, { x: box.x + box.w, y: labelY + FONT * 1.1, "font-size": FONT, "text-anchor": "end", fill: "#000" });
      if (yt.offset) runs(g, yt.offset, { x: box.x, y: box.y - 4, "font-size": FONT, "text-anchor": "start", fill: "#000" });
      if (panel.xlabel.length) {
        runs(g, panel.xlabel, { x: box.x + box.w / 2, y: frame.y + frame.h - LABEL_FONT * 0.45, "font-size": LABEL_FONT, "text-anchor": "middle", fill: "#000" });
      }
      if (panel.ylabel.length) {
        var lx = frame.x + LABEL_FONT * 0.95;
        var ly = box.y + box.h / 2;
        runs(g, panel.ylabel, { x: lx, y: ly, "font-size": LABEL_FONT, "text-anchor": "middle", transform: "rotate(-90 " + lx + " " + ly + ")", fill: "#000" });
      }
    });

    var titleY = box.y - 8 - (yt.offset ? FONT : 0);
    layer(cache, "title", root, JSON.stringify([panel.title, box.x, box.w, titleY]), function (g) {
      if (title) runs(g, panel.title, { x: box.x + box.w / 2, y: titleY, "font-size": TITLE_FONT, "text-anchor": "middle", fill: "#000" });
    });

    var items = panel.legend !== false ? entries.map(function (s) { return { label: s.label, style: s.style, kind: s.kind }; }) : [];
    var place = items.length ? legendSpot(items, box, points) : null;
    layer(cache, "legend", root, JSON.stringify([items, place]), function (g) {
      if (place) legend(g, items, place);
    });
  }

  // ------------------------------------------------------------------ one explorer

  function mount(block) {
    var spec = JSON.parse(block.querySelector("script[type='application/json']").textContent);
    var id = "lrlab-explore-" + count++;
    var root = document.createElement("div");
    root.className = "lrlab-explore";
    var figure = document.createElementNS(SVG, "svg");
    figure.setAttribute("role", "img");
    figure.setAttribute("class", "lrlab-figure");
    root.appendChild(figure);
    var panel = document.createElement("div");
    panel.className = "lrlab-inputs";
    root.appendChild(panel);
    block.parentNode.insertBefore(root, block);
    family = window.getComputedStyle(figure).fontFamily || family;
    var output = root.closest(".cell_output");
    if (output) output.classList.add("lrlab-live");

    if (spec.missing && spec.missing.length) {
      root.removeChild(figure);
      panel.textContent = "This explorer's data was not stored with the page.";
      throw new Error("lrlab explorer: no data for table(s) " + spec.missing.join(", ") +
        "; store the notebook with scripts/execute_notebooks.py");
    }

    var positions = spec.controls.map(function (c) { return c.value; });
    var inputs = [];
    var readouts = [];
    var cache = {};
    var panels = [];
    var timings = [];
    var state = { spec: spec, positions: positions, data: null, timings: timings, width: 0 };

    function readout(c, k) {
      if (c.kind === "choice") return c.labels[k];
      if (c.kind === "toggle") return "";
      var v = M.controlValue(c, k);
      return c.kind === "int" ? String(v) : M.pyFormat(v, c.fmt);
    }

    function draw() {
      var data = M.evaluateExplorer(spec, positions, cache);
      state.data = data;
      // The width is read on mount and on resize only: reading it here would make the
      // browser lay out the whole page at every input.
      var width = state.width;
      var n = data.panels.length;
      var cols = width >= n * MIN_PANEL ? n : 1;
      var size = spec.size;
      var panelW = width / cols;
      var panelH = cols === n ? width * size[1] / size[0] : Math.min(panelW * size[1] * n / size[0], panelW);
      panelH = Math.max(panelH, 220);
      var rows = Math.ceil(n / cols);
      var height = panelH * rows;
      var size = width.toFixed(1) + " " + height.toFixed(1);
      if (state.size !== size) {
        figure.textContent = "";
        panels = [];
        state.size = size;
        figure.setAttribute("viewBox", "0 0 " + size);
        figure.setAttribute("width", width.toFixed(1));
        figure.setAttribute("height", height.toFixed(1));
        node("rect", { x: 0, y: 0, width: width, height: height, fill: "#ffffff" }, figure);
      }
      var alt = M.runsText(data.alt) || "Interactive figure";
      if (figure.getAttribute("aria-label") !== alt) figure.setAttribute("aria-label", alt);
      data.panels.forEach(function (p, i) {
        var frame = { x: (i % cols) * panelW, y: Math.floor(i / cols) * panelH, w: panelW, h: panelH };
        drawPanel(figure, p, frame, id + "-" + i, panels[i] || (panels[i] = {}));
      });
    }

    function set(i, k) {
      var start = performance.now();
      positions[i] = k;
      var c = spec.controls[i];
      var input = inputs[i];
      if (c.kind === "toggle") input.checked = k === 1;
      else input.value = String(k);
      readouts[i].textContent = readout(c, k);
      if (c.kind !== "choice" && c.kind !== "toggle") input.setAttribute("aria-valuetext", readout(c, k));
      draw();
      // Include the layout the browser must do before it can paint the new figure.
      figure.getBoundingClientRect();
      timings.push(performance.now() - start);
    }
    state.set = set;
    // For timing a redraw from scratch: forget every computed model.
    state.clearCaches = function () {
      cache = {};
      M.clearCaches();
    };

    spec.controls.forEach(function (c, i) {
      var wrap = document.createElement("div");
      wrap.className = "lrlab-input lrlab-" + c.kind;
      var label = document.createElement("label");
      runsInto(label, c.label);
      var input;
      if (c.kind === "choice") {
        input = document.createElement("select");
        c.labels.forEach(function (text, k) {
          var option = document.createElement("option");
          option.value = String(k);
          option.textContent = text;
          input.appendChild(option);
        });
        input.value = String(positions[i]);
      } else if (c.kind === "toggle") {
        input = document.createElement("input");
        input.type = "checkbox";
        input.checked = positions[i] === 1;
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = "0";
        input.max = String(M.controlCount(c) - 1);
        input.step = "1";
        input.value = String(positions[i]);
        input.setAttribute("aria-valuetext", readout(c, positions[i]));
      }
      input.id = id + "-c" + i;
      input.name = c.name;
      label.htmlFor = input.id;
      var out = document.createElement("output");
      out.htmlFor = input.id;
      out.textContent = readout(c, positions[i]);
      if (c.kind === "choice" || c.kind === "toggle") out.hidden = true;
      input.addEventListener(c.kind === "choice" || c.kind === "toggle" ? "change" : "input", function () {
        set(i, c.kind === "toggle" ? (input.checked ? 1 : 0) : Number(input.value));
      });
      inputs.push(input);
      readouts.push(out);
      wrap.appendChild(label);
      wrap.appendChild(input);
      wrap.appendChild(out);
      panel.appendChild(wrap);
    });
    root.lrlab = state;
    state.width = Math.max(root.clientWidth, 240);
    draw();
    if (window.ResizeObserver) {
      new ResizeObserver(function (items) {
        var width = Math.max(items[0].contentRect.width, 240);
        if (Math.abs(width - state.width) > 1) {
          state.width = width;
          draw();
        }
      }).observe(root);
    }
  }

  function runsInto(el, list) {
    list.forEach(function (run) {
      var flags = run[1];
      var span = document.createElement(flags.indexOf("b") >= 0 ? "sub" : flags.indexOf("p") >= 0 ? "sup" : "span");
      if (flags.indexOf("i") >= 0) span.style.fontStyle = "italic";
      if (flags.indexOf("w") >= 0) span.style.fontWeight = "bold";
      span.textContent = run[0];
      el.appendChild(span);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("div.lrlab-explorer-spec"), function (block) {
      try {
        mount(block);
      } catch (err) {
        console.error("lrlab explorer:", err);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
