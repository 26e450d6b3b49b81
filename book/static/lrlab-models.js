/*
 * LR Lab explorers: the closed-form models, computed in the page.
 *
 * A line-for-line port of what lrlab/explorer_models.py calls in lrlab
 * (schedules, the noisy quadratic model, gradient descent on quadratics,
 * Adam's moments and RAdam's rectifier), in lrlab's own order of
 * floating-point operations, plus the expression language and Python-style
 * number formatting of lrlab/_expr.py. tests/test_js_models.py runs this file
 * under Node and compares every model with lrlab on random configurations.
 *
 * No DOM here: lrlab-explorer.js draws what evaluateExplorer() returns.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.lrlabModels = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ------------------------------------------------------------ Python values
  // ints are BigInt (Python's exact integers), floats are Numbers.

  function isInt(v) {
    return typeof v === "bigint";
  }

  function num(v) {
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "boolean") return v ? 1 : 0;
    return v;
  }

  function literal(tree) {
    switch (tree[0]) {
      case "i":
        return BigInt(tree[1]);
      case "f":
        return tree[1] === null ? NaN : tree[1];
      case "s":
      case "b":
        return tree[1];
      default:
        throw new Error("not a literal: " + JSON.stringify(tree));
    }
  }

  function asIntOrFloat(v) {
    return typeof v === "boolean" ? BigInt(v ? 1 : 0) : v;
  }

  // Python's float floor division and modulo (Objects/floatobject.c).
  function floatDivmod(vx, wx) {
    if (wx === 0) throw new Error("ZeroDivisionError: float divmod()");
    var mod = vx % wx;
    var div = (vx - mod) / wx;
    if (mod) {
      if (wx < 0 !== mod < 0) {
        mod += wx;
        div -= 1.0;
      }
    } else {
      mod = wx < 0 ? -0.0 : 0.0;
    }
    var floordiv;
    if (div) {
      floordiv = Math.floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
      floordiv = vx / wx > 0 ? 0.0 : -0.0;
    }
    return [floordiv, mod];
  }

  function bigFloorDiv(a, b) {
    if (b === 0n) throw new Error("ZeroDivisionError: integer division or modulo by zero");
    var q = a / b;
    if ((a % b !== 0n) && ((a < 0n) !== (b < 0n))) q -= 1n;
    return q;
  }

  function arith(op, a, b) {
    if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
    a = asIntOrFloat(a);
    b = asIntOrFloat(b);
    if (isInt(a) && isInt(b)) {
      switch (op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          if (b === 0n) throw new Error("ZeroDivisionError: division by zero");
          return Number(a) / Number(b);
        case "//":
          return bigFloorDiv(a, b);
        case "%":
          return a - b * bigFloorDiv(a, b);
        case "**":
          return b >= 0n ? a ** b : Math.pow(Number(a), Number(b));
      }
    }
    var x = Number(a);
    var y = Number(b);
    switch (op) {
      case "+":
        return x + y;
      case "-":
        return x - y;
      case "*":
        return x * y;
      case "/":
        if (y === 0) throw new Error("ZeroDivisionError: float division by zero");
        return x / y;
      case "//":
        return floatDivmod(x, y)[0];
      case "%":
        return floatDivmod(x, y)[1];
      case "**":
        return Math.pow(x, y);
    }
    throw new Error("unknown operator " + op);
  }

  function compare(op, a, b) {
    if (typeof a === "string" || typeof b === "string") {
      if (op === "==") return typeof a === typeof b && a === b;
      if (op === "!=") return !(typeof a === typeof b && a === b);
    }
    a = asIntOrFloat(a);
    b = asIntOrFloat(b);
    var x = isInt(a) && isInt(b) ? a : Number(a);
    var y = isInt(a) && isInt(b) ? b : Number(b);
    switch (op) {
      case "==":
        return x === y;
      case "!=":
        return x !== y;
      case "<":
        return x < y;
      case "<=":
        return x <= y;
      case ">":
        return x > y;
      case ">=":
        return x >= y;
    }
    throw new Error("unknown comparison " + op);
  }

  function truthy(v) {
    if (isInt(v)) return v !== 0n;
    if (typeof v === "string") return v.length > 0;
    return !!v;
  }

  // Round half to even, as Python's round() on a float.
  function roundHalfEven(x) {
    if (!isFinite(x)) throw new Error("cannot round " + x);
    var f = Math.floor(x);
    var diff = x - f;
    if (diff > 0.5) f += 1;
    else if (diff === 0.5 && f % 2 !== 0) f += 1;
    return BigInt(f);
  }

  var FUNCTIONS = {
    abs: function (a) {
      a = asIntOrFloat(a);
      return isInt(a) ? (a < 0n ? -a : a) : Math.abs(a);
    },
    min: function () {
      var best = arguments[0];
      for (var i = 1; i < arguments.length; i++) if (compare("<", arguments[i], best)) best = arguments[i];
      return best;
    },
    max: function () {
      var best = arguments[0];
      for (var i = 1; i < arguments.length; i++) if (compare(">", arguments[i], best)) best = arguments[i];
      return best;
    },
    round: function (a) {
      a = asIntOrFloat(a);
      return isInt(a) ? a : roundHalfEven(a);
    },
    int: function (a) {
      a = asIntOrFloat(a);
      return isInt(a) ? a : BigInt(Math.trunc(a));
    },
    float: function (a) {
      return Number(asIntOrFloat(a));
    },
    floor: function (a) {
      a = asIntOrFloat(a);
      return isInt(a) ? a : BigInt(Math.floor(a));
    },
    ceil: function (a) {
      a = asIntOrFloat(a);
      return isInt(a) ? a : BigInt(Math.ceil(a));
    },
    sqrt: function (a) {
      var x = num(a);
      if (x < 0) throw new Error("ValueError: math domain error");
      return Math.sqrt(x);
    },
    exp: function (a) {
      return Math.exp(num(a));
    },
    log: function (a) {
      var x = num(a);
      if (x <= 0) throw new Error("ValueError: math domain error");
      return Math.log(x);
    },
    log10: function (a) {
      var x = num(a);
      if (x <= 0) throw new Error("ValueError: math domain error");
      return Math.log10(x);
    },
    first: function (a) {
      return Number(a[0]);
    },
    last: function (a) {
      return Number(a[a.length - 1]);
    },
  };

  function evalExpr(tree, env) {
    var kind = tree[0];
    switch (kind) {
      case "i":
      case "f":
      case "s":
      case "b":
        return literal(tree);
      case "n":
        if (!(tree[1] in env)) throw new Error("unknown name " + tree[1]);
        return env[tree[1]];
      case "neg": {
        var v = asIntOrFloat(evalExpr(tree[1], env));
        return isInt(v) ? -v : -v;
      }
      case "pos":
        return asIntOrFloat(evalExpr(tree[1], env));
      case "not":
        return !truthy(evalExpr(tree[1], env));
      case "and": {
        var a = true;
        for (var i = 1; i < tree.length; i++) {
          a = evalExpr(tree[i], env);
          if (!truthy(a)) return a;
        }
        return a;
      }
      case "or": {
        var o = false;
        for (var j = 1; j < tree.length; j++) {
          o = evalExpr(tree[j], env);
          if (truthy(o)) return o;
        }
        return o;
      }
      case "cmp": {
        var left = evalExpr(tree[1], env);
        for (var k = 2; k < tree.length; k++) {
          var right = evalExpr(tree[k][1], env);
          if (!compare(tree[k][0], left, right)) return false;
          left = right;
        }
        return true;
      }
      case "if":
        return evalExpr(truthy(evalExpr(tree[1], env)) ? tree[2] : tree[3], env);
      case "call": {
        var args = [];
        for (var c = 2; c < tree.length; c++) args.push(evalExpr(tree[c], env));
        return FUNCTIONS[tree[1]].apply(null, args);
      }
      default:
        return arith(kind, evalExpr(tree[1], env), evalExpr(tree[2], env));
    }
  }

  // ------------------------------------------------------------ formatting
  // Python's format() for the spec subset lrlab/_expr.py accepts.

  // The decimal digits of |x| (exact to 100 digits) and the exponent of the first one.
  function decimalDigits(x) {
    var s = Math.abs(x).toPrecision(100);
    var exp10 = 0;
    var e = s.indexOf("e");
    if (e >= 0) {
      exp10 = parseInt(s.slice(e + 1), 10);
      s = s.slice(0, e);
    }
    var point = s.indexOf(".");
    var intPart = point >= 0 ? s.slice(0, point) : s;
    var digits = s.replace(".", "");
    var lead = digits.search(/[1-9]/);
    if (lead < 0) return { digits: "0", exp: 0 };
    // value = 0.d1d2... * 10^(pos)
    var pos = intPart.length + exp10 - lead;
    return { digits: digits.slice(lead), exp: pos };
  }

  // Round a digit string (value 0.DIGITS * 10^exp) to n digits, half to even.
  function roundDigits(d, n) {
    var digits = d.digits;
    var exp = d.exp;
    if (n < 0) return { digits: "0", exp: exp, zero: true };
    if (digits.length <= n) return { digits: digits + "0".repeat(n - digits.length), exp: exp };
    var kept = digits.slice(0, n);
    var rest = digits.slice(n);
    var up;
    if (rest[0] > "5") up = true;
    else if (rest[0] < "5") up = false;
    else if (/[1-9]/.test(rest.slice(1))) up = true;
    else up = n > 0 && (kept.charCodeAt(n - 1) - 48) % 2 === 1;
    if (!up) return { digits: kept, exp: exp };
    var arr = kept.split("");
    var i = n - 1;
    while (i >= 0) {
      if (arr[i] === "9") {
        arr[i] = "0";
        i--;
      } else {
        arr[i] = String.fromCharCode(arr[i].charCodeAt(0) + 1);
        break;
      }
    }
    if (i < 0) {
      arr.unshift("1");
      arr.pop();
      exp += 1;
    }
    return { digits: arr.join(""), exp: exp };
  }

  function fixed(x, prec) {
    var d = decimalDigits(x);
    if (d.digits === "0") return prec > 0 ? "0." + "0".repeat(prec) : "0";
    var n = d.exp + prec;
    var r = n <= 0 ? roundDigits({ digits: d.digits, exp: d.exp }, n) : roundDigits(d, n);
    var digits;
    var exp;
    if (n < 0 || r.zero) {
      digits = "";
      exp = d.exp;
    } else if (n === 0) {
      // Rounding to a position left of the first digit: 0 or 1 unit there.
      var first = d.digits[0];
      var more = /[1-9]/.test(d.digits.slice(1));
      var up = first > "5" || (first === "5" && more);
      digits = up ? "1" : "";
      exp = d.exp + (up ? 1 : 0);
    } else {
      digits = r.digits;
      exp = r.exp;
    }
    // digits represent 0.DIGITS * 10^exp with exactly (exp + prec) digits, or nothing.
    var total = exp + prec;
    if (digits.length === 0) digits = "0".repeat(Math.max(total, 0));
    if (digits.length < total) digits = digits + "0".repeat(total - digits.length);
    var intDigits = exp > 0 ? digits.slice(0, exp) : "0";
    var frac = exp >= 0 ? digits.slice(Math.max(exp, 0)) : "0".repeat(-exp) + digits;
    frac = (frac + "0".repeat(prec)).slice(0, prec);
    if (exp > 0 && digits.length < exp) intDigits = digits + "0".repeat(exp - digits.length);
    intDigits = intDigits.replace(/^0+(?=\d)/, "");
    return prec > 0 ? intDigits + "." + frac : intDigits;
  }

  function expo(x, prec) {
    var d = decimalDigits(x);
    var mant;
    var e;
    if (d.digits === "0") {
      mant = "0" + (prec > 0 ? "." + "0".repeat(prec) : "");
      e = 0;
    } else {
      var r = roundDigits(d, prec + 1);
      mant = r.digits[0] + (prec > 0 ? "." + r.digits.slice(1) : "");
      e = r.exp - 1;
    }
    var sign = e < 0 ? "-" : "+";
    var a = String(Math.abs(e));
    return mant + "e" + sign + (a.length < 2 ? "0" + a : a);
  }

  function general(x, prec) {
    if (prec === 0) prec = 1;
    var d = decimalDigits(x);
    var e = 0;
    if (d.digits !== "0") e = roundDigits(d, prec).exp - 1;
    var s;
    if (-4 <= e && e < prec) s = fixed(x, prec - 1 - e);
    else s = expo(x, prec - 1);
    // Drop trailing zeros of the fraction, and a bare point.
    var m = s.match(/^([^e]*?)(e.*)?$/);
    var body = m[1];
    if (body.indexOf(".") >= 0) body = body.replace(/0+$/, "").replace(/\.$/, "");
    return body + (m[2] || "");
  }

  function pyFloatRepr(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    var s = Math.abs(x).toExponential();
    var parts = s.split("e");
    var digits = parts[0].replace(".", "");
    var e = parseInt(parts[1], 10);
    var out;
    if (-4 <= e && e < 16) {
      if (e >= 0) {
        var ip = digits.length > e + 1 ? digits.slice(0, e + 1) : digits + "0".repeat(e + 1 - digits.length);
        var fp = digits.length > e + 1 ? digits.slice(e + 1) : "0";
        out = ip + "." + fp;
      } else {
        out = "0." + "0".repeat(-e - 1) + digits;
      }
    } else {
      var mant = digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "");
      var a = String(Math.abs(e));
      out = mant + "e" + (e < 0 ? "-" : "+") + (a.length < 2 ? "0" + a : a);
    }
    return (x < 0 ? "-" : "") + out;
  }

  function pyStr(v) {
    if (typeof v === "string") return v;
    if (typeof v === "boolean") return v ? "True" : "False";
    if (isInt(v)) return v.toString();
    if (v === null || v === undefined) return "None";
    return pyFloatRepr(v);
  }

  function group(intDigits) {
    return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  var SPEC = /^([-+ ]?)(,?)(?:\.(\d+))?([defg%]?)$/;

  function pyFormat(value, spec) {
    if (!spec) return pyStr(value);
    var m = SPEC.exec(spec);
    if (!m) throw new Error("unsupported format spec " + spec);
    var sign = m[1] || "-";
    var comma = m[2] === ",";
    var prec = m[3] === undefined ? 6 : parseInt(m[3], 10);
    var type = m[4];
    if (typeof value === "string") throw new Error("ValueError: Unknown format code for str");
    var v = asIntOrFloat(value);
    var negative;
    var body;
    if (type === "d") {
      if (!isInt(v)) throw new Error("ValueError: Unknown format code 'd' for object of type 'float'");
      negative = v < 0n;
      body = (negative ? -v : v).toString();
      if (comma) body = group(body);
    } else {
      var x = Number(v);
      if (type === "%") x = x * 100;
      negative = x < 0 || Object.is(x, -0);
      var ax = Math.abs(x);
      if (Number.isNaN(x)) {
        body = "nan";
        negative = false;
      } else if (ax === Infinity) body = "inf";
      else if (type === "f" || type === "%") body = fixed(ax, prec);
      else if (type === "e") body = expo(ax, prec);
      else if (type === "g") body = general(ax, prec);
      else throw new Error("unsupported format type " + type);
      if (comma && /^\d/.test(body)) {
        var split = body.match(/^(\d+)(.*)$/);
        body = group(split[1]) + split[2];
      }
      if (type === "%") body += "%";
    }
    var prefix = negative ? "-" : sign === "+" ? "+" : sign === " " ? " " : "";
    return prefix + body;
  }

  // ------------------------------------------------------------ templates

  // A template's parts as styled runs [[text, flags], ...], fields formatted.
  function renderTemplate(parts, env) {
    if (!parts) return [];
    var runs = [];
    parts.forEach(function (part) {
      if (part[0] === "t") part[1].forEach(function (r) { runs.push([r[0], r[1]]); });
      else runs.push([pyFormat(evalExpr(part[1], env), part[2]), ""]);
    });
    var merged = [];
    runs.forEach(function (r) {
      if (!r[0]) return;
      if (merged.length && merged[merged.length - 1][1] === r[1]) merged[merged.length - 1][0] += r[0];
      else merged.push(r);
    });
    return merged;
  }

  function runsText(runs) {
    return runs.map(function (r) { return r[0]; }).join("");
  }

  // ------------------------------------------------------------ schedules

  function stepsInto(t, offset, length) {
    var x = t - offset;
    if (x < 0) x = 0;
    if (length !== null && x > length) x = length;
    return x;
  }

  // lrlab.schedules._cos_anneal, clipped to hi as lrlab does.
  function cosAnneal(hi, lo, k, n) {
    var x = k * Math.PI;
    x = x / n;
    x = Math.cos(x);
    x = x + 1.0;
    x = x * (hi - lo);
    x = x / 2;
    return Math.min(x + lo, hi);
  }

  function rise(frac, shape) {
    if (shape === "linear") return frac;
    if (shape === "cosine") return (1.0 - Math.cos(Math.PI * frac)) / 2;
    return 1.0 - Math.sqrt(1.0 - frac);
  }

  function warmupValue(t, start, peak, steps, shape) {
    return Math.min(start + (peak - start) * rise(t / steps, shape), peak);
  }

  function decayValue(k, n, peak, floor, shape) {
    if (k === 0) return peak;
    if (shape === "cosine") return cosAnneal(peak, floor, k, n);
    var frac = k / n;
    if (shape === "1-sqrt") frac = Math.sqrt(frac);
    frac = 1.0 - frac;
    if (shape === "exponential") return Math.min(floor * Math.pow(peak / floor, frac), peak);
    return Math.min(frac * (peak - floor) + floor, peak);
  }

  // lrlab.schedules._cycle_of: cycle number, steps into it and its length, by integer arithmetic.
  function cycleOf(t, period, mult) {
    if (mult === 1) return [Math.floor(t / period), t % period, period];
    var start = 0;
    var length = period;
    var cycle = 0;
    while (start + length <= t) {
      start += length;
      length *= mult;
      cycle += 1;
    }
    return [cycle, t - start, length];
  }

  function countAtMost(sorted, t) {
    var n = 0;
    while (n < sorted.length && sorted[n] <= t) n++;
    return n;
  }

  function countBelow(sorted, t) {
    var n = 0;
    while (n < sorted.length && sorted[n] < t) n++;
    return n;
  }

  // Each family: a function of the (numeric) arguments returning {lr(t), mom(t) or null, family, args}.
  var FAMILIES = {
    constant: function (a) {
      return { lr: function () { return a.lr; } };
    },
    linear_warmup: function (a) {
      return {
        lr: function (t) {
          return t < a.warmup_steps ? warmupValue(t, a.start, a.peak, a.warmup_steps, a.shape) : a.peak;
        },
      };
    },
    step_decay: function (a) {
      return { lr: function (t) { return a.start * Math.pow(a.gamma, Math.floor(t / a.step_size)); } };
    },
    multistep: function (a) {
      return { lr: function (t) { return a.start * Math.pow(a.gamma, countAtMost(a.milestones, t)); } };
    },
    exponential: function (a) {
      return { lr: function (t) { return a.start * Math.pow(a.gamma, t); } };
    },
    linear_decay: function (a) {
      return {
        lr: function (t) {
          return decayValue(stepsInto(t, 0, a.total_steps), a.total_steps, a.start, a.end, "linear");
        },
      };
    },
    polynomial: function (a) {
      return {
        lr: function (t) {
          var base = Math.min(t, a.total_steps) / a.total_steps;
          base = 1.0 - base;
          return Math.min(Math.pow(base, a.power) * (a.start - a.end) + a.end, a.start);
        },
      };
    },
    cosine: function (a) {
      var end = a.past_end === "hold" ? a.total_steps : null;
      return {
        lr: function (t) { return cosAnneal(a.peak, a.floor, stepsInto(t, 0, end), a.total_steps); },
      };
    },
    cosine_restarts: function (a) {
      return {
        lr: function (t) {
          if (a.period_mult === 1) return cosAnneal(a.peak, a.floor, t % a.period, a.period);
          var c = cycleOf(t, a.period, a.period_mult);
          return cosAnneal(a.peak, a.floor, c[1], c[2]);
        },
      };
    },
    cosine_cycles: function (a) {
      return {
        lr: function (t) {
          var c = cycleOf(t, a.period, a.period_mult);
          var factor = Math.pow(a.decay, c[0]);
          var height = a.decay_of === "peak" ? a.peak * factor - a.floor : (a.peak - a.floor) * factor;
          var out = a.floor + 0.5 * height * (1.0 + Math.cos((Math.PI * c[1]) / c[2]));
          if (a.cycles !== null && c[0] >= a.cycles) out = a.floor;
          return Math.min(out, a.peak);
        },
      };
    },
    phases: function (a) {
      var n = a.pairs.length;
      var marks = [0.0];
      var sum = 0.0;
      a.fractions.forEach(function (f) {
        sum += f;
        marks.push(sum);
      });
      marks[marks.length - 1] = 1.0;
      return {
        lr: function (t) {
          if (t >= a.total_steps) return a.pairs[n - 1][1];
          var pos = t / a.total_steps;
          var i = Math.min(countAtMost(marks, pos) - 1, n - 1);
          var x = (pos - marks[i]) / (marks[i + 1] - marks[i]);
          var start = a.pairs[i][0];
          var end = a.pairs[i][1];
          var out = a.shape === "cos"
            ? start + ((1 + Math.cos(Math.PI * (1 - x))) * (end - start)) / 2
            : start + x * (end - start);
          return Math.min(Math.max(out, Math.min(start, end)), Math.max(start, end));
        },
      };
    },
    exponential_rate: function (a) {
      return {
        lr: function (t) {
          var p = a.staircase ? Math.floor(t / a.decay_steps) : t / a.decay_steps;
          return a.start * Math.pow(a.rate, p);
        },
      };
    },
    inverse_time: function (a) {
      return {
        lr: function (t) {
          var p = a.staircase ? Math.floor(t / a.decay_steps) : t / a.decay_steps;
          var denominator = 1.0 + a.rate * p;
          if (a.power !== 1.0) denominator = Math.pow(denominator, a.power);
          return a.start / denominator;
        },
      };
    },
    cyclical: function (a) {
      var up = a.step_size_up;
      var down = a.step_size_down === null ? up : a.step_size_down;
      var total = up + down;
      var ratio = up / total;
      function shape(t) {
        var cycle = Math.floor(t / (up + down)) + 1;
        var x = t / total;
        x += 1.0;
        x -= cycle;
        var position = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
        var factor = 1.0;
        if (a.mode === "triangular2") factor = 1 / Math.pow(2.0, cycle - 1);
        else if (a.mode === "exp_range") factor = Math.pow(a.gamma, t);
        return [position, factor];
      }
      return {
        lr: function (t) {
          var s = shape(t);
          return Math.min(a.base + (a.peak - a.base) * s[0] * s[1], a.peak);
        },
        mom: a.cycle_momentum
          ? function (t) {
              var s = shape(t);
              return a.max_momentum - (a.max_momentum - a.base_momentum) * s[0] * s[1];
            }
          : null,
      };
    },
    one_cycle: function (a) {
      var n = a.total_steps;
      var pct = a.pct_start;
      var initial = a.peak / a.div_factor;
      var low = initial / a.final_div_factor;
      var hi = a.max_momentum;
      var lo = a.base_momentum;
      var firstEnd = pct * n - 1;
      var ends;
      var lrPairs;
      var mPairs;
      if (a.three_phase) {
        ends = [firstEnd, 2 * pct * n - 2, n - 1];
        lrPairs = [[initial, a.peak], [a.peak, initial], [initial, low]];
        mPairs = [[hi, lo], [lo, hi], [hi, hi]];
      } else {
        ends = [firstEnd, n - 1];
        lrPairs = [[initial, a.peak], [a.peak, low]];
        mPairs = [[hi, lo], [lo, hi]];
      }
      var inner = ends.slice(0, -1);
      var starts = [0.0].concat(inner);
      var spans = ends.map(function (e, i) { return e - starts[i]; });
      function table(pairs) {
        return pairs.map(function (p) {
          return a.anneal === "cos" ? [p[1], (p[0] - p[1]) / 2.0] : [p[0], p[1] - p[0]];
        });
      }
      var lrTable = table(lrPairs);
      var mTable = table(mPairs);
      function anneal(tab, t) {
        if (t > n) return NaN;
        var phase = countBelow(inner, t);
        var x = (t - starts[phase]) / spans[phase];
        if (a.anneal === "cos") {
          x = x * Math.PI;
          x = Math.cos(x);
          x = x + 1;
        }
        return x * tab[phase][1] + tab[phase][0];
      }
      return {
        lr: function (t) { return Math.min(anneal(lrTable, t), a.peak); },
        mom: a.cycle_momentum
          ? function (t) {
              var m = anneal(mTable, t);
              return t < n ? Math.min(m, hi) : m;
            }
          : null,
      };
    },
    warmup_cosine: function (a) {
      var w = a.warmup_steps;
      var n = a.total_steps;
      return {
        lr: function (t) {
          if (w && t < w) return warmupValue(t, a.start, a.peak, w, a.warmup_shape);
          return cosAnneal(a.peak, a.floor, stepsInto(t, w, n - w), n - w);
        },
      };
    },
    wsd: function (a) {
      var w = a.warmup_steps;
      var d = a.decay_steps;
      var n = a.total_steps;
      return {
        lr: function (t) {
          if (w && t < w) return warmupValue(t, a.start, a.peak, w, a.warmup_shape);
          return decayValue(stepsInto(t, n - d, d), d, a.peak, a.floor, a.decay);
        },
      };
    },
    inverse_sqrt: function (a) {
      var w = a.warmup_steps;
      var s = Math.pow(a.d_model, -0.5);
      var slope = s * Math.pow(w, -1.5);
      return { lr: function (t) { return t < w ? t * slope : s / Math.sqrt(Math.max(t, w)); } };
    },
    join: function (a) {
      var parts = a.schedules;
      var marks = a.boundaries;
      var offsets = [0].concat(marks);
      return {
        lr: function (t) {
          var i = countAtMost(marks, t);
          return parts[i].lr(t - offsets[i]);
        },
      };
    },
    with_warmup: function (a) {
      var inner = a.schedule;
      var ramp = FAMILIES.linear_warmup({
        peak: inner.lr(0),
        warmup_steps: a.warmup_steps,
        start: a.start,
        shape: a.shape,
      });
      return {
        lr: function (t) { return t < a.warmup_steps ? ramp.lr(t) : inner.lr(t - a.warmup_steps); },
        inner: inner,
      };
    },
    scale: function (a) {
      var inner = a.schedule;
      return {
        lr: function (t) { return inner.lr(t) * a.factor; },
        mom: inner.mom || null,
      };
    },
    shift: function (a) {
      var inner = a.schedule;
      return {
        lr: function (t) { return inner.lr(t + a.steps); },
        mom: inner.mom ? function (t) { return inner.mom(t + a.steps); } : null,
      };
    },
    clip: function (a) {
      var inner = a.schedule;
      return {
        lr: function (t) {
          var out = Math.max(inner.lr(t), a.low);
          return a.high === null ? out : Math.min(out, a.high);
        },
        mom: inner.mom || null,
      };
    },
    product: function (a) {
      return {
        lr: function (t) {
          var out = a.schedules[0].lr(t);
          for (var i = 1; i < a.schedules.length; i++) out *= a.schedules[i].lr(t);
          return out;
        },
      };
    },
  };

  function makeSchedule(family, args) {
    if (!FAMILIES[family]) throw new Error("unknown schedule family " + family);
    var s = FAMILIES[family](args);
    s.family = family;
    s.args = args;
    if (!("mom" in s)) s.mom = null;
    return s;
  }

  // ------------------------------------------------------------ value trees

  // Model arguments: numbers as Numbers, schedules built, lists as arrays.
  function evalValue(tree, env) {
    switch (tree[0]) {
      case "none":
        return null;
      case "list":
        return tree.slice(1).map(function (item) { return evalValue(item, env); });
      case "sched": {
        var args = {};
        tree[2].forEach(function (pair) { args[pair[0]] = evalValue(pair[1], env); });
        return makeSchedule(tree[1], args);
      }
      case "pick": {
        var key = evalExpr(tree[1], env);
        for (var i = 0; i < tree[2].length; i++) {
          var c = evalExpr(tree[2][i][0], env);
          var same = typeof key === "string" || typeof c === "string" ? key === c : compare("==", key, c);
          if (same) return evalValue(tree[2][i][1], env);
        }
        throw new Error("no case for " + pyStr(key));
      }
      default: {
        var v = evalExpr(tree, env);
        return typeof v === "bigint" ? Number(v) : v;
      }
    }
  }

  // A key identifying evaluated model arguments, for caching.
  function argKey(v) {
    if (v === null || typeof v !== "object") return typeof v === "number" ? String(v) + (Object.is(v, -0) ? "-" : "") : JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(argKey).join(",") + "]";
    if (v.family) {
      return v.family + "(" + Object.keys(v.args).map(function (k) { return k + "=" + argKey(v.args[k]); }).join(",") + ")";
    }
    return JSON.stringify(v);
  }

  // ------------------------------------------------------------ models

  function range(a, b) {
    var out = new Float64Array(Math.max(b - a, 0));
    for (var i = 0; i < out.length; i++) out[i] = a + i;
    return out;
  }

  // The noisy quadratic model's recursion (lrlab.nqm.NoisyQuadratic._second_moment_losses,
  // standard model h_i = c_i = 1/i). Runs are remembered with snapshots of the state
  // every SNAP steps: a run whose rates start like a remembered one's (a schedule whose
  // tail moved) resumes from the last snapshot before they differ; same numbers, less work.
  var SNAP = 256;
  var runs = [];

  function nqmRun(dim, b, theta0, rates) {
    var steps = rates.length;
    var key = dim + "|" + b + "|" + theta0;
    var best = null;
    var shared = -1;
    runs.forEach(function (r) {
      if (r.key !== key) return;
      var n = Math.min(r.rates.length, steps);
      var d = 0;
      while (d < n && Object.is(r.rates[d], rates[d])) d++;
      if (d > shared) {
        shared = d;
        best = r;
      }
    });
    var h = new Float64Array(dim);
    var negH = new Float64Array(dim);
    var weights = new Float64Array(dim);
    var w = new Float64Array(dim);
    var u0 = theta0 * theta0;
    var first = 0;
    for (var i = 0; i < dim; i++) {
      h[i] = 1.0 / (i + 1);
      negH[i] = -h[i];
      var scale = h[i] / b;
      weights[i] = 0.5 * h[i] * scale;
      w[i] = u0 / scale;
      first += h[i] * u0;
    }
    var loss = new Float64Array(steps + 1);
    var snaps = [];
    var from = 0;
    if (best && shared >= SNAP) {
      var k = Math.floor(shared / SNAP);
      from = k * SNAP;
      w.set(best.snaps[k]);
      loss.set(best.loss.subarray(0, from + 1));
      snaps = best.snaps.slice(0, k + 1);
    } else {
      loss[0] = 0.5 * first;
      snaps.push(Float64Array.from(w));
    }
    // Four partial sums, so the additions do not wait on one another (the loss is a
    // sum over coordinates; its order of summation moves only its last bits, as
    // BLAS's does in lrlab).
    var body = dim - (dim % 4);
    for (var t = from; t < steps; t++) {
      var alpha = rates[t];
      var add = alpha * alpha;
      var s0 = 0;
      var s1 = 0;
      var s2 = 0;
      var s3 = 0;
      var j = 0;
      for (; j < body; j += 4) {
        var f0 = 1 + alpha * negH[j];
        var f1 = 1 + alpha * negH[j + 1];
        var f2 = 1 + alpha * negH[j + 2];
        var f3 = 1 + alpha * negH[j + 3];
        var n0 = w[j] * (f0 * f0) + add;
        var n1 = w[j + 1] * (f1 * f1) + add;
        var n2 = w[j + 2] * (f2 * f2) + add;
        var n3 = w[j + 3] * (f3 * f3) + add;
        w[j] = n0;
        w[j + 1] = n1;
        w[j + 2] = n2;
        w[j + 3] = n3;
        s0 += n0 * weights[j];
        s1 += n1 * weights[j + 1];
        s2 += n2 * weights[j + 2];
        s3 += n3 * weights[j + 3];
      }
      for (; j < dim; j++) {
        var f = 1 + alpha * negH[j];
        var next = w[j] * (f * f) + add;
        w[j] = next;
        s0 += next * weights[j];
      }
      loss[t + 1] = s0 + s1 + (s2 + s3);
      if ((t + 1) % SNAP === 0) snaps[(t + 1) / SNAP] = Float64Array.from(w);
    }
    runs.unshift({ key: key, rates: rates, loss: loss, snaps: snaps });
    if (runs.length > 6) runs.pop();
    return { loss: loss };
  }

  var MODELS = {
    schedule: function (p) {
      var s = p.schedule;
      var n = p.steps;
      var lr = new Float64Array(n);
      for (var t = 0; t < n; t++) lr[t] = s.lr(t);
      var out = { t: range(0, n), lr: lr };
      if (s.mom) {
        var m = new Float64Array(n);
        for (var u = 0; u < n; u++) m[u] = s.mom(u);
        out.momentum = m;
      }
      return out;
    },
    nqm: function (p) {
      var dim = p.dim;
      var steps = p.steps;
      var rates = new Float64Array(steps);
      for (var t = 0; t < steps; t++) rates[t] = p.schedule.lr(t);
      var run = nqmRun(dim, p.batch_size, p.theta0, rates);
      return { t: range(0, steps + 1), loss: run.loss };
    },
    nqm_floor: function (p) {
      var dim = p.dim;
      var b = p.batch_size;
      var steps = p.steps;
      var h = new Float64Array(dim);
      for (var i = 0; i < dim; i++) h[i] = 1.0 / (i + 1);
      var limit = 2.0 / h[0];
      var floor = new Float64Array(steps);
      for (var t = 0; t < steps; t++) {
        var a = p.schedule.lr(t);
        if (a >= limit) {
          floor[t] = Infinity;
          continue;
        }
        var sum = 0;
        for (var j = 0; j < dim; j++) sum += (a * h[j]) / (2.0 * b * (2.0 - a * h[j]));
        floor[t] = sum;
      }
      return { t: range(1, steps + 1), floor: floor };
    },
    gd_1d: function (p) {
      var n = p.steps;
      var xs = new Float64Array(n + 1);
      var loss = new Float64Array(n + 1);
      var x = p.x0;
      xs[0] = x;
      for (var t = 0; t < n; t++) {
        x = x - p.lr * (2.0 * p.a * (x - p.b));
        xs[t + 1] = x;
      }
      for (var i = 0; i <= n; i++) {
        var d = xs[i] - p.b;
        loss[i] = p.a * (d * d);
      }
      return { t: range(0, n + 1), x: xs, loss: loss };
    },
    gd_2d: function (p) {
      var n = p.steps;
      var fx = 1.0 - p.lr * p.h_x;
      var fy = 1.0 - p.lr * p.h_y;
      var x = new Float64Array(n + 1);
      var y = new Float64Array(n + 1);
      var loss = new Float64Array(n + 1);
      for (var k = 0; k <= n; k++) {
        x[k] = Math.pow(fx, k) * p.x0;
        y[k] = Math.pow(fy, k) * p.y0;
        loss[k] = 0.5 * (p.h_x * (x[k] * x[k]) + p.h_y * (y[k] * y[k]));
      }
      return { t: range(0, n + 1), x: x, y: y, loss: loss };
    },
    quadratic_contours: function (p) {
      var n = p.points;
      var xs = [];
      var ys = [];
      for (var k = 0; k < p.count; k++) {
        var level = p.top * Math.pow(p.ratio, k);
        var rx = Math.sqrt((2 * level) / p.h_x);
        var ry = Math.sqrt((2 * level) / p.h_y);
        if (k > 0) {
          xs.push(NaN);
          ys.push(NaN);
        }
        for (var j = 0; j < n; j++) {
          var theta = (2 * Math.PI * j) / (n - 1);
          xs.push(rx * Math.cos(theta));
          ys.push(ry * Math.sin(theta));
        }
      }
      return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
    },
    adam: function (p) {
      var n = p.steps;
      var names = ["grad", "m", "v", "bias1", "bias2", "m_hat", "v_hat", "update", "raw_update"];
      var out = { k: range(1, n + 1) };
      names.forEach(function (name) { out[name] = new Float64Array(n); });
      var weight = 1.0 - p.beta1;
      var m = 0.0;
      var v = 0.0;
      for (var k = 0; k < n; k++) {
        var g = p.grad_mean + p.grad_flip * ((k + 1) % 2 === 1 ? 1.0 : -1.0);
        var diff = g - m;
        m = weight < 0.5 ? m + weight * diff : g - diff * (1.0 - weight);
        v = v * p.beta2 + (1.0 - p.beta2) * g * g;
        var step = k + 1;
        var b1 = 1.0 - Math.pow(p.beta1, step);
        var b2 = 1.0 - Math.pow(p.beta2, step);
        var denom = Math.sqrt(v) / Math.pow(b2, 0.5) + p.eps;
        out.grad[k] = g;
        out.m[k] = m;
        out.v[k] = v;
        out.bias1[k] = b1;
        out.bias2[k] = b2;
        out.m_hat[k] = m / b1;
        out.v_hat[k] = v / b2;
        out.update[k] = (1.0 / b1) * (m / denom);
        out.raw_update[k] = m / (Math.sqrt(v) + p.eps);
      }
      return out;
    },
    radam: function (p) {
      var n = p.steps;
      var rho = new Float64Array(n);
      var rect = new Float64Array(n);
      var rhoInf = 2.0 / (1.0 - p.beta2) - 1.0;
      for (var i = 0; i < n; i++) {
        var k = i + 1;
        var power = Math.pow(p.beta2, k);
        rho[i] = rhoInf - (2.0 * k * power) / (1.0 - power);
        if (rho[i] > p.threshold) {
          var r = rho[i];
          rect[i] = Math.sqrt(((r - 4) * (r - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * r));
        } else {
          rect[i] = 0.0;
        }
      }
      return { k: range(1, n + 1), rho: rho, rectifier: rect };
    },
    phase_marks: function (p) {
      var marks = scheduleMarks(p.schedule, p.steps).filter(function (m) { return m > 0 && m <= p.steps; });
      marks.sort(function (a, b) { return a - b; });
      var unique = marks.filter(function (m, i) { return i === 0 || m !== marks[i - 1]; });
      return { x: Float64Array.from(unique) };
    },
  };

  function scheduleMarks(s, steps) {
    var a = s.args;
    var out = [];
    var v;
    switch (s.family) {
      case "one_cycle":
        out.push(a.pct_start * a.total_steps - 1);
        if (a.three_phase) out.push(2 * a.pct_start * a.total_steps - 2);
        return out;
      case "cosine_restarts": {
        var start = 0;
        var length = a.period;
        out.push(0);
        while (start + length <= steps) {
          start += length;
          out.push(start);
          length *= a.period_mult;
        }
        return out;
      }
      case "cyclical": {
        var period = a.step_size_up + (a.step_size_down === null ? a.step_size_up : a.step_size_down);
        for (v = period; v <= steps; v += period) out.push(v);
        return out;
      }
      case "step_decay":
        for (v = a.step_size; v <= steps; v += a.step_size) out.push(v);
        return out;
      case "multistep":
        return a.milestones.slice();
      case "linear_warmup":
      case "warmup_cosine":
        return [a.warmup_steps];
      case "wsd":
        return [a.warmup_steps, a.total_steps - a.decay_steps];
      case "scale":
      case "clip":
        return scheduleMarks(a.schedule, steps);
      case "shift":
        return scheduleMarks(a.schedule, steps + a.steps).map(function (m) { return m - a.steps; });
      case "product":
        a.schedules.forEach(function (part) { out = out.concat(scheduleMarks(part, steps)); });
        return out;
      case "cosine_cycles": {
        var begin = 0;
        var span = a.period;
        var k = 0;
        while (begin + span <= steps && (a.cycles === null || k + 1 < a.cycles)) {
          begin += span;
          out.push(begin);
          span *= a.period_mult;
          k += 1;
        }
        if (a.cycles !== null) out.push(scheduleEnd(a));
        return out;
      }
      case "phases": {
        var total = 0.0;
        for (var f = 0; f < a.fractions.length - 1; f++) {
          total += a.fractions[f];
          out.push(total * a.total_steps);
        }
        return out;
      }
      case "with_warmup":
        return [a.warmup_steps].concat(
          scheduleMarks(a.schedule, Math.max(steps - a.warmup_steps, 1)).map(function (m) { return a.warmup_steps + m; })
        );
      case "join": {
        out = a.boundaries.slice();
        var offsets = [0].concat(a.boundaries);
        a.schedules.forEach(function (part, i) {
          scheduleMarks(part, Math.max(steps - offsets[i], 1)).forEach(function (m) { out.push(offsets[i] + m); });
        });
        return out;
      }
      default:
        return [];
    }
  }

  // Where cosine_cycles ends its last cycle.
  function scheduleEnd(a) {
    var end = 0;
    var length = a.period;
    for (var i = 0; i < a.cycles; i++) {
      end += length;
      length *= a.period_mult;
    }
    return end;
  }

  function computeModel(name, params) {
    if (!MODELS[name]) throw new Error("unknown model " + name);
    return MODELS[name](params);
  }

  // ------------------------------------------------------------ explorers

  // The value of every control at the given positions, with constants and derived names.
  function environment(spec, positions) {
    var env = {};
    Object.keys(spec.constants || {}).forEach(function (name) {
      env[name] = literal(spec.constants[name]);
    });
    spec.controls.forEach(function (c, i) {
      env[c.name] = controlValue(c, positions[i]);
    });
    (spec.derived || []).forEach(function (pair) {
      env[pair[0]] = evalExpr(pair[1], env);
    });
    return env;
  }

  function controlValue(c, k) {
    if (c.kind === "int") return BigInt(c.min + k * c.step);
    if (c.kind === "toggle") return k === 1;
    return literal(c.values[k]);
  }

  function controlCount(c) {
    if (c.kind === "int") return c.count;
    if (c.kind === "toggle") return 2;
    return c.values.length;
  }

  function tableCell(table, env) {
    var index = 0;
    table.over.forEach(function (name, i) {
      var key = env[name];
      var values = table.values[i].map(literal);
      var k = -1;
      for (var j = 0; j < values.length; j++) {
        var same = typeof key === "string" ? key === values[j] : compare("==", key, values[j]);
        if (same) k = j;
      }
      if (k < 0) throw new Error("table " + table.name + " has no entry for " + name + " = " + pyStr(key));
      index = index * values.length + k;
    });
    var out = {};
    table.outputs.forEach(function (name) {
      out[name] = name in table.shared ? table.shared[name] : table.cells[index][name];
    });
    return out;
  }

  function shifted(a, by) {
    var out = new Float64Array(a.length);
    for (var i = 0; i < a.length; i++) out[i] = a[i] + by;
    return out;
  }

  function scaled(a, by) {
    var out = new Float64Array(a.length);
    for (var i = 0; i < a.length; i++) out[i] = a[i] * by;
    return out;
  }

  // Everything the figure shows for these control positions: per panel, its texts,
  // scales, limits and each series' numbers. `cache` keeps model results by argument.
  function evaluateExplorer(spec, positions, cache) {
    cache = cache || {};
    var env = environment(spec, positions);
    var sources = spec.sources.map(function (src, i) {
      if (src[0] === "table") return tableCell(spec.tables[src[1]], env);
      var params = {};
      src[2].forEach(function (pair) { params[pair[0]] = evalValue(pair[1], env); });
      var key = i + ":" + argKey(params);
      if (!(key in cache)) cache[key] = computeModel(src[1], params);
      return cache[key];
    });
    var seriesEnv = Object.assign({}, env);
    spec.panels.forEach(function (panel) {
      panel.series.forEach(function (s) {
        if (s.name) seriesEnv[s.name] = sources[s.source][s.y];
      });
    });
    var panels = spec.panels.map(function (panel) {
      var limits = function (pair) {
        return pair.map(function (t) { return t === null ? null : Number(num(evalExpr(t, seriesEnv))); });
      };
      return {
        title: renderTemplate(panel.title, seriesEnv),
        xlabel: renderTemplate(panel.xlabel, seriesEnv),
        ylabel: renderTemplate(panel.ylabel, seriesEnv),
        logx: truthy(evalExpr(panel.logx, seriesEnv)),
        logy: truthy(evalExpr(panel.logy, seriesEnv)),
        xlim: limits(panel.xlim),
        ylim: limits(panel.ylim),
        aspect: panel.aspect,
        legend: panel.legend,
        series: panel.series.map(function (s) {
          var data = sources[s.source];
          var shown = s.visible === null ? true : truthy(evalExpr(s.visible, seriesEnv));
          var out = {
            kind: s.kind,
            style: s.style,
            label: s.label ? renderTemplate(s.label, seriesEnv) : null,
            visible: shown,
          };
          if (s.kind === "band") {
            out.x = data[s.x];
            out.low = data[s.low];
            out.high = data[s.high];
          } else if (s.kind === "vlines" || s.kind === "hlines") {
            var at = data[s.y];
            out.at = s.max_count !== null && at.length > s.max_count ? [] : Array.from(at);
          } else {
            if (!(s.y in data)) throw new Error("the model gives no " + s.y);
            out.x = data[s.x];
            out.y = data[s.y];
            if (s.x_shift !== null) out.x = shifted(out.x, Number(num(evalExpr(s.x_shift, seriesEnv))));
            if (s.y_scale !== null) out.y = scaled(out.y, Number(num(evalExpr(s.y_scale, seriesEnv))));
          }
          return out;
        }),
      };
    });
    return { panels: panels, alt: renderTemplate(spec.alt, seriesEnv) };
  }

  // Forget remembered NQM runs (for timing a redraw from scratch).
  function clearCaches() {
    runs.length = 0;
  }

  return {
    clearCaches: clearCaches,
    evalExpr: evalExpr,
    evalValue: evalValue,
    pyFormat: pyFormat,
    pyStr: pyStr,
    renderTemplate: renderTemplate,
    runsText: runsText,
    makeSchedule: makeSchedule,
    computeModel: computeModel,
    environment: environment,
    controlValue: controlValue,
    controlCount: controlCount,
    evaluateExplorer: evaluateExplorer,
    literal: literal,
  };
});
