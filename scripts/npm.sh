# Sourced by scripts/run and scripts/test: install the browser libraries the tool serves itself
# (static/package.json, pinned in static/package-lock.json) into static/node_modules with npm ci, again
# only when the lock file changed. $1 is "runtime" (scripts/run) or "dev" (scripts/test, which also takes
# the face photos its camera tests make fake-camera clips from); a dev install serves runtime too.
npm_stamp=static/node_modules/.installed
npm_lock=$(sha256sum static/package-lock.json | cut -d' ' -f1)
npm_have=$(cat "$npm_stamp" 2>/dev/null || true)
if [ "$npm_have" != "dev $npm_lock" ] && [ "$npm_have" != "$1 $npm_lock" ]; then
  if [ "$1" = dev ]; then npm_omit=(); else npm_omit=(--omit=dev); fi
  (cd static && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error "${npm_omit[@]}")
  echo "$1 $npm_lock" > "$npm_stamp"
fi
