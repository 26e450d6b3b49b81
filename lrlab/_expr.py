"""Expressions, label templates and TeX labels that Python and the page evaluate alike.

An explorer binds model parameters, limits and labels to its controls with
small Python expressions such as ``"max(1, round(decay_frac * T))"``. They
are parsed once here into a JSON tree that both :mod:`lrlab.widgets` (in a
kernel) and ``book/static/lrlab-models.js`` (in the page) evaluate with
Python's semantics: ``int`` and ``float`` stay apart, ``round`` rounds half
to even, ``//`` floors. Labels are templates: ``{expr:spec}`` fields are
formatted with Python's format specification (a subset, checked here), and
``$...$`` parts are TeX, drawn by matplotlib and turned into styled text
runs for the page by :func:`tex_runs`, which refuses any TeX command it
cannot draw faithfully.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

#: Functions an expression may call, by name.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "int": int,
    "float": float,
    "floor": math.floor,
    "ceil": math.ceil,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "first": lambda a: float(np.asarray(a, dtype=np.float64).ravel()[0]),
    "last": lambda a: float(np.asarray(a, dtype=np.float64).ravel()[-1]),
}
_ARITY = {"min": (2, 8), "max": (2, 8), "round": (1, 1)}
_BINOPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_COMPARE = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}


# ------------------------------------------------------------------ expressions


def parse(text: str, names: Mapping[str, Any] | set[str] | frozenset[str], where: str) -> list:
    """Parse an expression into the JSON tree the page evaluates.

    Parameters
    ----------
    text : str
        A Python expression over ``names``: numbers, strings, arithmetic,
        comparisons, ``and``/``or``/``not``, ``a if c else b`` and calls of
        :data:`FUNCTIONS`.
    names : collection of str
        The names the expression may use (controls, constants, series).
    where : str
        What the expression is for, named in error messages.

    Returns
    -------
    list
        The tree: ``["i", 3]`` (int), ``["f", 0.5]``, ``["s", "cos"]``,
        ``["b", True]``, ``["n", name]``, ``[op, left, right]``,
        ``["neg", x]``, ``["not", x]``, ``["and", x, y, ...]``,
        ``["cmp", x, [op, y], ...]``, ``["if", test, yes, no]``,
        ``["call", name, arg, ...]``.

    Examples
    --------
    >>> parse("max(1, round(f * T))", {"f", "T"}, "decay_steps")
    ['call', 'max', ['i', 1], ['call', 'round', ['*', ['n', 'f'], ['n', 'T']]]]
    >>> parse("peek * 2", {"peak"}, "floor")
    Traceback (most recent call last):
    ...
    ValueError: floor: unknown name 'peek' in 'peek * 2'; known names: peak
    """
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"{where}: {text!r} is not a Python expression ({exc.msg})") from None
    known = set(names)

    def bad(node: ast.AST, what: str) -> ValueError:
        return ValueError(f"{where}: {what} in {text!r}")

    def walk(node: ast.AST) -> list:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                return ["b", value]
            if isinstance(value, int):
                return ["i", value]
            if isinstance(value, float):
                return ["f", value]
            if isinstance(value, str):
                return ["s", value]
            raise bad(node, f"the constant {value!r} is not allowed")
        if isinstance(node, ast.Name):
            if node.id in ("True", "False"):
                return ["b", node.id == "True"]
            if node.id not in known:
                listed = ", ".join(sorted(known)) or "(none)"
                raise ValueError(
                    f"{where}: unknown name {node.id!r} in {text!r}; known names: {listed}"
                )
            return ["n", node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return [_BINOPS[type(node.op)], walk(node.left), walk(node.right)]
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return ["neg", walk(node.operand)]
            if isinstance(node.op, ast.UAdd):
                return ["pos", walk(node.operand)]
            if isinstance(node.op, ast.Not):
                return ["not", walk(node.operand)]
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return [op, *(walk(v) for v in node.values)]
        if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            pairs = [
                [_COMPARE[type(op)], walk(right)]
                for op, right in zip(node.ops, node.comparators, strict=True)
            ]
            return ["cmp", walk(node.left), *pairs]
        if isinstance(node, ast.IfExp):
            return ["if", walk(node.test), walk(node.body), walk(node.orelse)]
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                allowed = ", ".join(sorted(FUNCTIONS))
                raise bad(node, f"only these functions may be called: {allowed}")
            if node.keywords:
                raise bad(node, "keyword arguments are not allowed")
            name = node.func.id
            low, high = _ARITY.get(name, (1, 1))
            if not low <= len(node.args) <= high:
                raise bad(node, f"{name}() takes {low} to {high} arguments")
            return ["call", name, *(walk(a) for a in node.args)]
        raise bad(node, f"{type(node).__name__} is not allowed")

    return walk(tree)


def names_in(tree: list) -> set[str]:
    """Every name an expression tree uses.

    Examples
    --------
    >>> sorted(names_in(parse("a * b + a", {"a", "b"}, "x")))
    ['a', 'b']
    """
    if tree[0] == "n":
        return {tree[1]}
    if tree[0] in ("i", "f", "s", "b"):
        return set()
    found: set[str] = set()
    for part in tree[1:]:
        if isinstance(part, list):
            found |= names_in(part)
    return found


def evaluate(tree: list, env: Mapping[str, Any]) -> Any:
    """Value of an expression tree with Python's own arithmetic.

    Examples
    --------
    >>> evaluate(parse("round(2.5) + 7 // 2", set(), "x"), {})
    5
    >>> evaluate(parse("'on' if x > 1 else 'off'", {"x"}, "x"), {"x": 1.5})
    'on'
    """
    kind = tree[0]
    if kind in ("i", "f", "s", "b"):
        return tree[1]
    if kind == "n":
        return env[tree[1]]
    if kind == "neg":
        return -evaluate(tree[1], env)
    if kind == "pos":
        return +evaluate(tree[1], env)
    if kind == "not":
        return not evaluate(tree[1], env)
    if kind == "and":
        value = True
        for part in tree[1:]:
            value = evaluate(part, env)
            if not value:
                return value
        return value
    if kind == "or":
        value = False
        for part in tree[1:]:
            value = evaluate(part, env)
            if value:
                return value
        return value
    if kind == "cmp":
        left = evaluate(tree[1], env)
        for op, right_tree in tree[2:]:
            right = evaluate(right_tree, env)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if kind == "if":
        return evaluate(tree[2] if evaluate(tree[1], env) else tree[3], env)
    if kind == "call":
        return FUNCTIONS[tree[1]](*(evaluate(arg, env) for arg in tree[2:]))
    a, b = evaluate(tree[1], env), evaluate(tree[2], env)
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "/":
        return a / b
    if kind == "//":
        return a // b
    if kind == "%":
        return a % b
    return a**b


def _compare(op: str, a: Any, b: Any) -> bool:
    return {
        "==": lambda: a == b,
        "!=": lambda: a != b,
        "<": lambda: a < b,
        "<=": lambda: a <= b,
        ">": lambda: a > b,
        ">=": lambda: a >= b,
    }[op]()


# ------------------------------------------------------------------ formatting

_SPEC = re.compile(r"(?P<sign>[-+ ]?)(?P<comma>,?)(?:\.(?P<precision>\d+))?(?P<type>[defg%]?)")


def check_spec(spec: str, where: str) -> str:
    """A format specification the page can reproduce, or a ValueError.

    Allowed: an optional sign (``+``, ``-``, space), an optional ``,``, an
    optional ``.precision`` and one of the types ``d e f g %`` (or none, for
    ``str(value)``, without precision or ``,``). Width, fill and alignment are not.

    Examples
    --------
    >>> check_spec(".3g", "title")
    '.3g'
    >>> check_spec(">10", "title")
    Traceback (most recent call last):
    ...
    ValueError: title: format spec '>10' is not supported; use [sign][,][.precision][d|e|f|g|%]
    """
    match = _SPEC.fullmatch(spec)
    untyped = match is not None and not match["type"]
    if match is None or (untyped and (match["precision"] is not None or match["comma"])):
        raise ValueError(
            f"{where}: format spec {spec!r} is not supported; use [sign][,][.precision][d|e|f|g|%]"
        )
    if match["type"] == "d" and match["precision"] is not None:
        raise ValueError(f"{where}: format spec {spec!r}: 'd' takes no precision")
    return spec


def format_value(value: Any, spec: str) -> str:
    """``format(value, spec)`` as Python does it, NumPy scalars unwrapped first.

    Examples
    --------
    >>> format_value(0.1, ".0%"), format_value(1e-5, ""), format_value(3, ".2f")
    ('10%', '1e-05', '3.00')
    """
    if isinstance(value, np.generic):
        value = value.item()
    return format(value, spec) if spec else str(value)


# ------------------------------------------------------------------ TeX labels

_GREEK = (
    "alpha:α beta:β gamma:γ delta:δ epsilon:ϵ varepsilon:ε zeta:ζ eta:η theta:θ "
    "vartheta:ϑ iota:ι kappa:κ lambda:λ mu:μ nu:ν xi:ξ pi:π varpi:ϖ rho:ρ varrho:ϱ "
    "sigma:σ varsigma:ς tau:τ upsilon:υ phi:ϕ varphi:φ chi:χ psi:ψ omega:ω "
    "Gamma:Γ Delta:Δ Theta:Θ Lambda:Λ Xi:Ξ Pi:Π Sigma:Σ Upsilon:Υ Phi:Φ Psi:Ψ Omega:Ω"
)
_SYMBOLS = (
    "cdot:· times:× div:÷ pm:± mp:∓ leq:≤ le:≤ geq:≥ ge:≥ neq:≠ ne:≠ approx:≈ sim:∼ "
    "simeq:≃ equiv:≡ propto:∝ infty:∞ to:→ rightarrow:→ leftarrow:← Rightarrow:⇒ "
    "mapsto:↦ in:∈ notin:∉ sum:∑ prod:∏ partial:∂ nabla:∇ ell:ℓ ldots:… cdots:⋯ "
    "dots:… prime:′ circ:∘ star:⋆ ast:∗ lfloor:⌊ rfloor:⌋ lceil:⌈ rceil:⌉ langle:⟨ "
    "rangle:⟩ vert:| mid:∣ forall:∀ exists:∃ cup:∪ cap:∩ subset:⊂ subseteq:⊆ "
    "emptyset:∅ downarrow:↓ uparrow:↑ %:% $:$ _:_ #:# {:{ }:} |:‖ ,:\u2009 ;:\u2005 "
    "quad:\u2003 qquad:\u2003\u2003 !:"
)
_NAMED = dict(pair.split(":", 1) for pair in f"{_GREEK} {_SYMBOLS}".split(" "))
_NAMED[" "] = " "
_FUNCTION_NAMES = frozenset(
    "log ln exp min max sin cos tan arg lim sup inf det dim gcd deg".split()
)
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "dot": "\u0307", "vec": "\u20d7"}
_FONTS = {
    "mathrm": "",
    "text": "",
    "textrm": "",
    "mathdefault": "",
    "operatorname": "",
    "mathit": "i",
    "textit": "i",
    "mathbf": "wu",
    "textbf": "wu",
}
_FRACTIONS = {
    ("1", "2"): "½",
    ("1", "3"): "⅓",
    ("2", "3"): "⅔",
    ("1", "4"): "¼",
    ("3", "4"): "¾",
    ("1", "5"): "⅕",
    ("1", "8"): "⅛",
}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\s+)|(.)", re.S)

#: A run of styled text: the text and its style flags (``i`` italic, ``w`` bold,
#: ``b`` subscript, ``p`` superscript).
Run = list


def _tokens(tex: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(tex):
        if m.group(1) is not None:
            out.append(("cmd", m.group(1)))
        elif m.group(2) is not None:
            out.append(("space", m.group(2)))
        else:
            out.append(("char", m.group(3)))
    return out


class _Tex:
    """A recursive-descent reader of the TeX subset that labels may use."""

    def __init__(self, tex: str, label: str) -> None:
        self.tokens = _tokens(tex)
        self.pos = 0
        self.label = label

    def fail(self, what: str) -> ValueError:
        return ValueError(
            f"cannot draw {what} in the label {self.label!r} faithfully on the page; "
            "use Greek letters, symbols, \\frac, \\sqrt, ^ and _, \\mathrm/\\text, "
            "accents (\\hat, \\bar, \\tilde, \\dot, \\vec) or plain Unicode"
        )

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def group(self, flags: str) -> list[Run]:
        """One argument: a ``{...}`` group or a single token."""
        token = self.peek()
        if token is None:
            raise self.fail("a command without its argument")
        if token == ("char", "{"):
            self.pos += 1
            runs = self.sequence(flags, closing="}")
            self.pos += 1
            return runs
        if token[0] == "space":
            self.pos += 1
            return self.group(flags)
        return self.atom(flags)

    def sequence(self, flags: str, closing: str | None = None) -> list[Run]:
        runs: list[Run] = []
        while True:
            token = self.peek()
            if token is None:
                if closing is not None:
                    raise self.fail("an unclosed '{'")
                return _space_operators(runs)
            if closing is not None and token == ("char", closing):
                return _space_operators(runs)
            if token == ("char", "}"):
                raise self.fail("an unmatched '}'")
            if token in (("char", "^"), ("char", "_")):
                self.pos += 1
                if "b" in flags or "p" in flags:
                    raise self.fail("a script inside a script")
                style = "p" if token[1] == "^" else "b"
                runs += self.group(flags + style)
                continue
            runs += self.atom(flags)

    def atom(self, flags: str) -> list[Run]:
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "space":
            return []
        if kind == "char":
            if value == "{":
                runs = self.sequence(flags, closing="}")
                self.pos += 1
                return runs
            if value.isalpha() and value.isascii() and "i" not in flags and "u" not in flags:
                return [[value, flags + "i"]]
            if value in _RELATIONS or value in _BINARY:
                return [[_OPERATORS.get(value, value), flags + "o"]]
            if value == "'":
                return [["′", flags]]
            return [[value, flags]]
        if value in _NAMED:
            symbol = _NAMED[value]
            if symbol in _RELATIONS or symbol in _BINARY:
                return [[symbol, flags + "o"]]
            return [[symbol, flags]]
        if value in _FUNCTION_NAMES:
            return [[value, flags]]
        if value in ("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"):
            return []
        if value in _FONTS:
            style = _FONTS[value]
            inner = self.group(flags.replace("i", "") + (style or "u"))
            return [[text, f.replace("u", "")] for text, f in inner]
        if value in _ACCENTS:
            inner = self.group(flags)
            if len("".join(t for t, _ in inner)) != 1:
                raise self.fail(f"\\{value} over more than one character")
            return [[inner[0][0] + _ACCENTS[value], inner[0][1]]]
        if value == "sqrt":
            if self.peek() == ("char", "["):
                raise self.fail("\\sqrt with an index")
            inner = self.group(flags)
            if len("".join(t for t, _ in inner)) == 1:
                return [["√", flags], *inner]
            return [["√(", flags], *inner, [")", flags]]
        if value in ("frac", "dfrac", "tfrac"):
            top, bottom = self.group(flags), self.group(flags)
            key = ("".join(t for t, _ in top), "".join(t for t, _ in bottom))
            if key in _FRACTIONS and "b" not in flags and "p" not in flags:
                return [[_FRACTIONS[key], flags]]
            return [*_wrap(top, flags), ["/", flags], *_wrap(bottom, flags)]
        raise self.fail(f"the TeX command \\{value}")


_RELATIONS = frozenset("=<>≤≥≠≈∼≃≡∝→←⇒↦∈∉⊂⊆")
_BINARY = frozenset("+-−×·÷±∓∗⋆∘∪∩")
_OPERATORS = {"-": "−"}


def _space_operators(runs: list[Run]) -> list[Run]:
    """Spaces around relations and binary operators, as TeX sets them (none in scripts).

    An operator that starts a group or follows another operator or an opening
    bracket is unary (``−x``) and gets no space.
    """
    out: list[Run] = []
    for i, (text, flags) in enumerate(runs):
        if "o" not in flags:
            out.append([text, flags])
            continue
        flags = flags.replace("o", "")
        before = runs[i - 1][0] if i else ""
        unary = not before or "o" in runs[i - 1][1] or before[-1] in "([{⟨,"
        spaced = not unary and "b" not in flags and "p" not in flags
        out.append([f" {text} " if spaced else text, flags])
    return out


def _wrap(runs: list[Run], flags: str) -> list[Run]:
    """Parenthesise a numerator or denominator that has an operator outside brackets."""
    depth = 0
    for ch in "".join(t for t, _ in runs):
        if ch in "([{⟨":
            depth += 1
        elif ch in ")]}⟩":
            depth -= 1
        elif depth == 0 and (ch in "+−-/·×*=,<>≤≥" or ch.isspace()):
            return [["(", flags], *runs, [")", flags]]
    return runs


def tex_runs(text: str) -> list[Run]:
    r"""A label with ``$...$`` TeX parts as styled text runs for the page.

    Outside ``$...$`` the text is kept as is. Inside, Latin letters become
    italic, ``^``/``_`` superscripts and subscripts, ``\frac`` a slash (or a
    vulgar fraction such as ½), ``\sqrt`` a radical sign; any TeX command
    the page cannot draw faithfully raises ValueError.

    Parameters
    ----------
    text : str
        The label, e.g. ``r"$\eta_t = \eta_0/\sqrt{t}$"``.

    Returns
    -------
    list of [str, str]
        Runs of text and style flags (``i`` italic, ``w`` bold, ``b``
        subscript, ``p`` superscript), adjacent runs of one style merged.

    Examples
    --------
    >>> tex_runs(r"$\eta_0/\sqrt{t}$, $\frac12$")
    [['η', ''], ['0', 'b'], ['/√', ''], ['t', 'i'], [', ½', '']]
    >>> tex_runs(r"$\int f$")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: cannot draw the TeX command \int in the label '$\\int f$' ... on the page; ...
    """
    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:
        raise ValueError(f"the label {text!r} has an unpaired '$'")
    runs: list[Run] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                runs.append([part.replace("\\$", "$"), ""])
        else:
            runs += _Tex(part, text).sequence("")
    merged: list[Run] = []
    for value, flags in runs:
        flags = "".join(sorted(set(flags)))
        if merged and merged[-1][1] == flags:
            merged[-1][0] += value
        elif value:
            merged.append([value, flags])
    return merged


# ------------------------------------------------------------------ templates


def parse_template(text: str, names: set[str] | frozenset[str], where: str) -> list:
    """A label template as parts the page formats: literal runs and ``{expr:spec}`` fields.

    ``$...$`` parts are TeX (no fields inside); elsewhere ``{expr}`` or
    ``{expr:spec}`` is a field and ``{{``/``}}`` a literal brace.

    Returns
    -------
    list
        ``["t", runs]`` for literal text (see :func:`tex_runs`) and
        ``["x", tree, spec]`` for a field.

    Examples
    --------
    >>> parse_template("WSD ({decay_frac:.0%})", {"decay_frac"}, "label")
    [['t', [['WSD (', '']]], ['x', ['n', 'decay_frac'], '.0%'], ['t', [[')', '']]]]
    """
    parts: list = []
    for i, piece in enumerate(re.split(r"(?<!\\)(\$[^$]*\$)", text)):
        if i % 2 == 1:
            parts.append(["t", tex_runs(piece)])
            continue
        pos = 0
        literal = ""
        while pos < len(piece):
            ch = piece[pos]
            if piece.startswith("{{", pos) or piece.startswith("}}", pos):
                literal += ch
                pos += 2
            elif ch == "{":
                end = piece.find("}", pos)
                if end < 0:
                    raise ValueError(f"{where}: unclosed '{{' in {text!r}")
                field = piece[pos + 1 : end]
                expr, _, spec = field.partition(":")
                if literal:
                    parts.append(["t", tex_runs(literal)])
                    literal = ""
                tree = parse(expr, names, where)
                parts.append(["x", tree, check_spec(spec, where)])
                pos = end + 1
            elif ch == "}":
                raise ValueError(f"{where}: single '}}' in {text!r}; write '}}}}'")
            else:
                literal += ch
                pos += 1
        if literal:
            parts.append(["t", tex_runs(literal)])
    return parts


def template_names(parts: list) -> set[str]:
    """Every name the fields of a parsed template use."""
    found: set[str] = set()
    for part in parts:
        if part[0] == "x":
            found |= names_in(part[1])
    return found


def render_template(parts: list, source: str, env: Mapping[str, Any]) -> str:
    """The template's text for matplotlib: TeX parts verbatim, fields formatted.

    Parameters
    ----------
    parts : list
        From :func:`parse_template` (used for the fields).
    source : str
        The template text (its ``$...$`` parts are given to matplotlib as they are).
    env : mapping
        Values of the names.

    Examples
    --------
    >>> src = r"$\\eta$ = {lr:.2f}"
    >>> render_template(parse_template(src, {"lr"}, "t"), src, {"lr": 0.125})
    '$\\\\eta$ = 0.12'
    """
    fields = iter(part for part in parts if part[0] == "x")
    out = []
    for i, piece in enumerate(re.split(r"(?<!\\)(\$[^$]*\$)", source)):
        if i % 2 == 1:
            out.append(piece)
            continue
        pos = 0
        while pos < len(piece):
            if piece.startswith("{{", pos) or piece.startswith("}}", pos):
                out.append(piece[pos])
                pos += 2
            elif piece[pos] == "{":
                end = piece.find("}", pos)
                _, tree, spec = next(fields)
                out.append(format_value(evaluate(tree, env), spec))
                pos = end + 1
            else:
                out.append(piece[pos])
                pos += 1
    return "".join(out)


__all__ = [
    "FUNCTIONS",
    "check_spec",
    "evaluate",
    "format_value",
    "names_in",
    "parse",
    "parse_template",
    "render_template",
    "template_names",
    "tex_runs",
]
