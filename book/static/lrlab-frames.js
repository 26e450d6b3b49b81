/*
 * Legacy LR Lab explorers: figures precomputed on a grid of slider values.
 *
 * Superseded by lrlab-explorer.js (declarative explorers computed in the page);
 * kept until every chapter has moved to lrlab.widgets.Explorer.
 *
 * `lrlab.static_explorer.FrameExplorer.show()` leaves a hidden block
 *   <div class="lrlab-explorer" hidden><script type="application/json">...</script></div>
 * holding the explorer's figure drawn by lrlab on a grid of slider values
 * (see lrlab/static_explorer.py for the format). This script turns each block
 * into sliders and an SVG figure, and hides the static PNG and the inert
 * ipywidgets of the same cell output (by CSS, so widgets rendered later are
 * hidden too). If anything fails, the PNG stays.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var FONT = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, "Helvetica Neue", Arial, sans-serif';
  var TICK = 4.86; // 3.5 pt: matplotlib's major tick length and label pad, in px at 100 dpi
  var MINOR_TICK = 2.78;
  var LABEL_PAD = 5.56; // 4 pt
  var TITLE_PAD = 8.33; // 6 pt
  var SPINE = 1.11; // 0.8 pt
  var count = 0;

  var STYLE =
    ".lrlab-live > img, .lrlab-live > .widget-subarea, .lrlab-live > .jupyter-widgets { display: none !important; }" +
    ".lrlab-view { margin: 0.5em 0 1em; }" +
    ".lrlab-view svg { display: block; width: 100%; height: auto; background: #fff; border-radius: 2px; }" +
    ".lrlab-controls { display: grid; grid-template-columns: max-content minmax(8em, 26em) 5em;" +
    " gap: 0.35em 0.8em; align-items: center; margin-top: 0.6em; padding: 0 0.5em; font-size: 0.9em; }" +
    ".lrlab-controls label { text-align: right; }" +
    ".lrlab-controls input[type=range] { width: 100%; accent-color: #0072B2; margin: 0; }" +
    ".lrlab-controls input[type=checkbox] { justify-self: start; accent-color: #0072B2; }" +
    ".lrlab-controls output { font-variant-numeric: tabular-nums; }";

  function node(name, attrs, parent) {
    var el = document.createElementNS(SVG, name);
    for (var key in attrs) {
      if (attrs[key] !== undefined && attrs[key] !== null) el.setAttribute(key, attrs[key]);
    }
    if (parent) parent.appendChild(el);
    return el;
  }

  function text(parent, str, attrs) {
    var el = node("text", Object.assign({ "font-family": FONT, fill: "#000000" }, attrs), parent);
    el.textContent = str;
    return el;
  }

  function width(el, str, size) {
    var measured = 0;
    try {
      measured = el.getComputedTextLength();
    } catch (e) {
      measured = 0;
    }
    return measured > 0 ? measured : str.length * size * 0.6;
  }

  function expand(values) {
    if (Array.isArray(values)) return values;
    var out = new Array(values.n);
    for (var i = 0; i < values.n; i++) out[i] = values.start + values.step * i;
    return out;
  }

  function mergeList(shared, own) {
    if (!Array.isArray(shared)) return own;
    if (!Array.isArray(own)) return shared;
    return shared.map(function (item, i) {
      return Object.assign({}, item, own[i]);
    });
  }

  // One frame's figure: the common part with the frame's own values on top.
  function frameFigure(data, frame) {
    var own = data.figures[frame] || {};
    var fig = Object.assign({}, data.common, own);
    var ownAxes = own.axes || [];
    fig.axes = [];
    for (var a = 0; a < Math.max(data.common.axes.length, ownAxes.length); a++) {
      var shared = data.common.axes[a] || {};
      var mine = ownAxes[a] || {};
      var ax = Object.assign({}, shared, mine);
      ["lines", "collections", "texts"].forEach(function (key) {
        ax[key] = mergeList(shared[key], mine[key]);
      });
      fig.axes.push(ax);
    }
    return fig;
  }

  function scaler(lim, log, start, size, flip) {
    var lo = log ? Math.log10(lim[0]) : lim[0];
    var hi = log ? Math.log10(lim[1]) : lim[1];
    var span = hi - lo || 1;
    return function (v) {
      if (v === null || v === undefined || !isFinite(v)) return null;
      // Like matplotlib, a value a log axis cannot show is drawn far off its low end.
      var f = log && v <= 0 ? -1000 : ((log ? Math.log10(v) : v) - lo) / span;
      var px = flip ? start + size - f * size : start + f * size;
      return Math.max(-1e6, Math.min(1e6, px));
    };
  }

  function fracScaler(start, size, flip) {
    return function (v) {
      if (v === null || !isFinite(v)) return null;
      return flip ? start + size - v * size : start + v * size;
    };
  }

  function polyline(xs, ys, sx, sy) {
    var d = "";
    var pen = false;
    for (var i = 0; i < ys.length; i++) {
      var x = sx(xs[i]);
      var y = sy(ys[i]);
      if (x === null || y === null) {
        pen = false;
        continue;
      }
      d += (pen ? "L" : "M") + x.toFixed(2) + " " + y.toFixed(2);
      pen = true;
    }
    return d;
  }

  function marker(parent, shape, x, y, size, fill, edge) {
    var r = size / 2;
    var attrs = { fill: fill || "none", stroke: edge || fill || "#000", "stroke-width": 1 };
    if (shape === "s") {
      node("rect", Object.assign(attrs, { x: x - r, y: y - r, width: size, height: size }), parent);
    } else if (shape === "*" || shape === "^" || shape === "v" || shape === "D" || shape === "d") {
      var pts = [];
      var n = shape === "*" ? 10 : shape === "D" || shape === "d" ? 4 : 3;
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
      node("path", { d: d, stroke: edge || fill || "#000", "stroke-width": 1.4 }, parent);
    } else {
      node("circle", Object.assign(attrs, { cx: x, cy: y, r: shape === "." ? r * 0.5 : r }), parent);
    }
  }

  // Points every few pixels along the part of a drawn segment inside the axes box,
  // for placing the legend.
  function sample(points, from, to, box) {
    var t0 = 0;
    var t1 = 1;
    var d = [to[0] - from[0], to[1] - from[1]];
    var bounds = [[from[0] - box.x, -d[0]], [box.x + box.w - from[0], d[0]], [from[1] - box.y, -d[1]], [box.y + box.h - from[1], d[1]]];
    for (var b = 0; b < 4; b++) {
      var room = bounds[b][0];
      var rate = bounds[b][1];
      if (rate === 0) {
        if (room < 0) return;
      } else if (rate < 0) {
        t0 = Math.max(t0, room / rate);
      } else {
        t1 = Math.min(t1, room / rate);
      }
    }
    if (t0 > t1) return;
    var steps = Math.min(400, Math.ceil((Math.hypot(d[0], d[1]) * (t1 - t0)) / 4));
    for (var k = 0; k <= steps; k++) {
      var t = t0 + ((t1 - t0) * k) / Math.max(steps, 1);
      points.push([from[0] + d[0] * t, from[1] + d[1] * t]);
    }
  }

  function drawLine(g, line, sx, sy, fx, fy, points, box) {
    var xs = expand(line.x);
    var ys = line.y;
    var px = line.frac ? fx : sx;
    var py = line.frac ? fy : sy;
    var group = node("g", { opacity: line.alpha }, g);
    if (line.width > 0) {
      node("path", {
        d: polyline(xs, ys, px, py),
        fill: "none",
        stroke: line.color,
        "stroke-width": line.width,
        "stroke-dasharray": line.dash && line.dash.length ? line.dash.join(" ") : null,
        "stroke-linejoin": "round",
        "stroke-linecap": "butt",
      }, group);
    }
    var last = null;
    for (var i = 0; i < ys.length; i++) {
      var x = px(xs[i]);
      var y = py(ys[i]);
      if (x === null || y === null) {
        last = null;
        continue;
      }
      if (!line.frac) sample(points, line.width > 0 && last ? last : [x, y], [x, y], box);
      last = [x, y];
      if (line.marker) marker(group, line.marker, x, y, line.size, line.fill, line.edge);
    }
  }

  function drawCollection(g, coll, sx, sy, fx, fy, points) {
    var px = coll.frac ? fx : sx;
    var py = coll.frac ? fy : sy;
    if (coll.points) {
      for (var i = 0; i < coll.points.length; i += 2) {
        var x = px(coll.points[i]);
        var y = py(coll.points[i + 1]);
        if (x === null || y === null) continue;
        points.push([x, y]);
        var k = (i / 2) % coll.fill.length;
        node("circle", { cx: x, cy: y, r: coll.radius[(i / 2) % coll.radius.length], fill: coll.fill[k] || "none" }, g);
      }
      return;
    }
    coll.paths.forEach(function (piece, i) {
      var xs = [];
      var ys = [];
      for (var j = 0; j < piece.xy.length; j += 2) {
        xs.push(piece.xy[j]);
        ys.push(piece.xy[j + 1]);
      }
      var d = polyline(xs, ys, px, py) + (piece.closed ? "Z" : "");
      node("path", {
        d: d,
        fill: coll.face[i % coll.face.length] || "none",
        stroke: coll.edge[i % coll.edge.length] || "none",
        "stroke-width": coll.width[i % coll.width.length],
      }, g);
    });
  }

  function drawLegend(svg, ax, box, points) {
    var legend = {
      entries: ax.legend || [],
      title: ax.legend_title,
      size: ax.legend_size || ax.tick_size,
      frame: ax.legend_frame !== false,
    };
    if (!legend.entries.length) return;
    var size = legend.size;
    var row = size * 1.3;
    var handle = 2 * size;
    var g = node("g", {}, svg);
    var labels = legend.entries.map(function (entry) {
      return text(g, entry.label, { "font-size": size, x: 0, y: 0 });
    });
    var title = legend.title ? text(g, legend.title, { "font-size": size, x: 0, y: 0, "text-anchor": "middle" }) : null;
    var widest = 0;
    labels.forEach(function (el, i) {
      widest = Math.max(widest, handle + 0.8 * size + width(el, legend.entries[i].label, size));
    });
    if (title) widest = Math.max(widest, width(title, legend.title, size));
    var rows = legend.entries.length + (title ? 1 : 0);
    var w = widest + 0.8 * size;
    var h = row * rows + 0.6 * size;
    var pad = 0.5 * size;
    var spots = [
      [box.x + box.w - w - pad, box.y + pad],
      [box.x + pad, box.y + pad],
      [box.x + pad, box.y + box.h - h - pad],
      [box.x + box.w - w - pad, box.y + box.h - h - pad],
      [box.x + box.w - w - pad, box.y + (box.h - h) / 2],
      [box.x + pad, box.y + (box.h - h) / 2],
      [box.x + (box.w - w) / 2, box.y + box.h - h - pad],
      [box.x + (box.w - w) / 2, box.y + pad],
      [box.x + (box.w - w) / 2, box.y + (box.h - h) / 2],
    ];
    // Like matplotlib's loc="best": the spot covering the fewest drawn points.
    var best = spots[0];
    var fewest = Infinity;
    spots.forEach(function (spot) {
      var hits = 0;
      points.forEach(function (p) {
        if (p[0] >= spot[0] && p[0] <= spot[0] + w && p[1] >= spot[1] && p[1] <= spot[1] + h) hits++;
      });
      if (hits < fewest) {
        fewest = hits;
        best = spot;
      }
    });
    if (legend.frame) {
      g.insertBefore(node("rect", {
        x: best[0], y: best[1], width: w, height: h, rx: 3,
        fill: "#ffffff", "fill-opacity": 0.8, stroke: "#cccccc", "stroke-width": 1.39,
      }), g.firstChild);
    }
    var top = best[1] + 0.3 * size;
    if (title) {
      title.setAttribute("x", best[0] + w / 2);
      title.setAttribute("y", top + row / 2);
      title.setAttribute("dominant-baseline", "central");
      top += row;
    }
    legend.entries.forEach(function (entry, i) {
      var y = top + row * (i + 0.5);
      var x = best[0] + 0.4 * size;
      if (entry.patch) {
        node("rect", { x: x, y: y - size * 0.35, width: handle, height: size * 0.7, fill: entry.color }, g);
      } else {
        if (entry.width > 0) {
          node("line", {
            x1: x, x2: x + handle, y1: y, y2: y, stroke: entry.color, "stroke-width": entry.width,
            "stroke-dasharray": entry.dash && entry.dash.length ? entry.dash.join(" ") : null,
          }, g);
        }
        if (entry.marker) marker(g, entry.marker, x + handle / 2, y, size * 0.5, entry.fill || entry.color, entry.color);
      }
      labels[i].setAttribute("x", x + handle + 0.8 * size);
      labels[i].setAttribute("y", y);
      labels[i].setAttribute("dominant-baseline", "central");
    });
  }

  function drawAxes(svg, fig, ax, boxFrac, id) {
    var box = {
      x: boxFrac[0] * fig.width,
      y: fig.height - (boxFrac[1] + boxFrac[3]) * fig.height,
      w: boxFrac[2] * fig.width,
      h: boxFrac[3] * fig.height,
    };
    var sx = scaler(ax.xlim, ax.xlog, box.x, box.w, false);
    var sy = scaler(ax.ylim, ax.ylog, box.y, box.h, true);
    var fx = fracScaler(box.x, box.w, false);
    var fy = fracScaler(box.y, box.h, true);
    node("rect", { x: box.x, y: box.y, width: box.w, height: box.h, fill: ax.face }, svg);
    var clip = node("clipPath", { id: id }, node("defs", {}, svg));
    node("rect", { x: box.x, y: box.y, width: box.w, height: box.h }, clip);
    var inside = function (v, lo, hi) {
      return v !== null && v >= Math.min(lo, hi) - 0.5 && v <= Math.max(lo, hi) + 0.5;
    };
    if (ax.grid) {
      var grid = node("g", { stroke: ax.grid.color, "stroke-width": ax.grid.width }, svg);
      ax.xticks.major.forEach(function (t) {
        var x = sx(t[0]);
        if (inside(x, box.x, box.x + box.w)) node("line", { x1: x, x2: x, y1: box.y, y2: box.y + box.h }, grid);
      });
      ax.yticks.major.forEach(function (t) {
        var y = sy(t[0]);
        if (inside(y, box.y, box.y + box.h)) node("line", { x1: box.x, x2: box.x + box.w, y1: y, y2: y }, grid);
      });
    }
    var plot = node("g", { "clip-path": "url(#" + id + ")" }, svg);
    var points = [];
    var artists = [];
    (ax.collections || []).forEach(function (c) {
      artists.push([c.z, function () { drawCollection(plot, c, sx, sy, fx, fy, points); }]);
    });
    (ax.lines || []).forEach(function (l) {
      artists.push([l.z, function () { drawLine(plot, l, sx, sy, fx, fy, points, box); }]);
    });
    artists
      .map(function (a, i) { return [a[0], i, a[1]]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .forEach(function (a) { a[2](); });
    (ax.texts || []).forEach(function (t) {
      text(plot, t.text, {
        x: fx(t.at[0]), y: fy(t.at[1]), "font-size": t.size, fill: t.color,
        "text-anchor": { left: "start", right: "end" }[t.ha] || "middle",
        "dominant-baseline": { top: "hanging", bottom: "alphabetic", baseline: "alphabetic" }[t.va] || "central",
      });
    });
    var spines = node("g", { stroke: "#000000", "stroke-width": SPINE, "stroke-linecap": "square" }, svg);
    var edges = {
      left: [box.x, box.y, box.x, box.y + box.h],
      right: [box.x + box.w, box.y, box.x + box.w, box.y + box.h],
      top: [box.x, box.y, box.x + box.w, box.y],
      bottom: [box.x, box.y + box.h, box.x + box.w, box.y + box.h],
    };
    ax.spines.forEach(function (name) {
      var e = edges[name];
      if (e) node("line", { x1: e[0], y1: e[1], x2: e[2], y2: e[3] }, spines);
    });
    var size = ax.tick_size;
    var ticks = node("g", { stroke: "#000000", "stroke-width": SPINE }, svg);
    var below = box.y + box.h;
    var xLabelY = below + TICK + TICK + size * 0.8;
    [[ax.xticks.major, TICK], [ax.xticks.minor, MINOR_TICK]].forEach(function (pair) {
      pair[0].forEach(function (t) {
        var x = sx(t[0]);
        if (!inside(x, box.x, box.x + box.w)) return;
        node("line", { x1: x, x2: x, y1: below, y2: below + pair[1] }, ticks);
        if (t[1]) text(svg, t[1], { x: x, y: xLabelY, "font-size": pair[1] === TICK ? size : size * 0.85, "text-anchor": "middle" });
      });
    });
    var widest = 0;
    [[ax.yticks.major, TICK], [ax.yticks.minor, MINOR_TICK]].forEach(function (pair) {
      pair[0].forEach(function (t) {
        var y = sy(t[0]);
        if (!inside(y, box.y, box.y + box.h)) return;
        node("line", { x1: box.x - pair[1], x2: box.x, y1: y, y2: y }, ticks);
        if (!t[1]) return;
        var tsize = pair[1] === TICK ? size : size * 0.85;
        var el = text(svg, t[1], { x: box.x - TICK - TICK, y: y, "font-size": tsize, "text-anchor": "end", "dominant-baseline": "central" });
        widest = Math.max(widest, width(el, t[1], tsize));
      });
    });
    if (ax.xticks.offset) text(svg, ax.xticks.offset, { x: box.x + box.w, y: xLabelY + size * 1.2, "font-size": size, "text-anchor": "end" });
    if (ax.yticks.offset) text(svg, ax.yticks.offset, { x: box.x, y: box.y - 4, "font-size": size, "text-anchor": "start" });
    var lsize = ax.label_size;
    if (ax.xlabel) {
      text(svg, ax.xlabel, { x: box.x + box.w / 2, y: xLabelY + LABEL_PAD + lsize * 0.95, "font-size": lsize, "text-anchor": "middle" });
    }
    if (ax.ylabel) {
      var lx = box.x - TICK - TICK - widest - LABEL_PAD - lsize * 0.25;
      var ly = box.y + box.h / 2;
      text(svg, ax.ylabel, { x: lx, y: ly, "font-size": lsize, "text-anchor": "middle", transform: "rotate(-90 " + lx + " " + ly + ")" });
    }
    var tsize = ax.title_size;
    var ty = box.y - TITLE_PAD;
    if (ax.title) text(svg, ax.title, { x: box.x + box.w / 2, y: ty, "font-size": tsize, "text-anchor": "middle" });
    if (ax.title_left) text(svg, ax.title_left, { x: box.x, y: ty, "font-size": tsize, "text-anchor": "start" });
    if (ax.title_right) text(svg, ax.title_right, { x: box.x + box.w, y: ty, "font-size": tsize, "text-anchor": "end" });
    drawLegend(svg, ax, box, points);
  }

  function drawFigure(svg, fig, id) {
    while (svg.lastChild) svg.removeChild(svg.lastChild);
    svg.setAttribute("viewBox", "0 0 " + fig.width + " " + fig.height);
    node("rect", { x: 0, y: 0, width: fig.width, height: fig.height, fill: fig.face }, svg);
    if (fig.title) text(svg, fig.title, { x: fig.width / 2, y: 20, "font-size": 16.7, "text-anchor": "middle" });
    fig.axes.forEach(function (ax, a) {
      drawAxes(svg, fig, ax, fig.boxes[a], id + "-" + a);
    });
  }

  function mount(block) {
    var data = JSON.parse(block.querySelector("script[type='application/json']").textContent);
    var output = block.closest(".cell_output") || block.parentElement;
    var image = output.querySelector("img");
    var id = "lrlab-explorer-" + count++;
    var view = document.createElement("div");
    view.className = "lrlab-view";
    var figure = document.createElementNS(SVG, "svg");
    figure.setAttribute("role", "img");
    figure.setAttribute("aria-label", (image && image.getAttribute("alt")) || "Interactive figure");
    figure.setAttribute("preserveAspectRatio", "xMidYMid meet");
    figure.style.maxWidth = data.common.width + "px";
    view.appendChild(figure);
    var panel = document.createElement("div");
    panel.className = "lrlab-controls";
    view.appendChild(panel);

    var index = {};
    data.frames.forEach(function (frame, f) {
      index[frame.join(",")] = f;
    });
    var state = data.frames[0].slice();
    var inputs = [];
    var readouts = [];

    function show(frame) {
      state = data.frames[frame].slice();
      data.controls.forEach(function (c, i) {
        var input = inputs[i];
        if (c.kind === "checkbox") input.checked = !!c.values[state[i]];
        else input.value = String(state[i]);
        if (readouts[i]) readouts[i].textContent = c.labels[state[i]];
      });
      drawFigure(figure, frameFigure(data, frame), id);
      view.setAttribute("data-frame", String(frame));
    }

    // The frame for the new value of control i: the exact combination if it was drawn,
    // else the drawn frame with that value that changes the fewest other controls.
    function choose(i, level) {
      var wanted = state.slice();
      wanted[i] = level;
      var exact = index[wanted.join(",")];
      if (exact !== undefined) return exact;
      var best = 0;
      var bestCost = Infinity;
      data.frames.forEach(function (frame, f) {
        if (frame[i] !== level) return;
        var cost = 0;
        frame.forEach(function (k, j) {
          if (j !== i && k !== wanted[j]) cost += 1000 + Math.abs(k - wanted[j]);
        });
        if (cost < bestCost) {
          bestCost = cost;
          best = f;
        }
      });
      return best;
    }

    data.controls.forEach(function (c, i) {
      var label = document.createElement("label");
      label.textContent = c.label;
      label.htmlFor = id + "-c" + i;
      var input;
      if (c.kind === "select") {
        input = document.createElement("select");
        c.labels.forEach(function (text, k) {
          var option = document.createElement("option");
          option.value = String(k);
          option.textContent = text;
          input.appendChild(option);
        });
      } else if (c.kind === "checkbox") {
        input = document.createElement("input");
        input.type = "checkbox";
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = "0";
        input.max = String(c.values.length - 1);
        input.step = "1";
        input.setAttribute("aria-valuetext", c.labels[state[i]]);
      }
      input.id = id + "-c" + i;
      input.name = c.name;
      var readout = document.createElement("output");
      readout.htmlFor = input.id;
      input.addEventListener("input", function () {
        var level = c.kind === "checkbox" ? (input.checked ? c.values.indexOf(true) : c.values.indexOf(false)) : Number(input.value);
        show(choose(i, level));
        if (c.kind === "range") input.setAttribute("aria-valuetext", c.labels[state[i]]);
      });
      inputs.push(input);
      readouts.push(readout);
      panel.appendChild(label);
      panel.appendChild(input);
      panel.appendChild(readout);
    });

    output.insertBefore(view, output.firstChild);
    try {
      show(0);
    } catch (err) {
      output.removeChild(view);
      throw err;
    }
    output.classList.add("lrlab-live");
  }

  function start() {
    if (!document.getElementById("lrlab-explorer-style")) {
      var style = document.createElement("style");
      style.id = "lrlab-explorer-style";
      style.textContent = STYLE;
      document.head.appendChild(style);
    }
    Array.prototype.forEach.call(document.querySelectorAll("div.lrlab-explorer"), function (block) {
      try {
        mount(block);
      } catch (err) {
        if (window.console) console.error("lrlab explorer:", err);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
