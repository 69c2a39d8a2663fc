#!/usr/bin/env bash
# Installs what the browser tests need, from Debian and npm only: Debian's Chromium (Playwright
# never downloads a browser here) and the npm packages pinned by tests/browser/package-lock.json
# (playwright-core; smtp-server and mailparser, the mail server the journeys read their mail
# from; oidc-provider, the OpenID provider single sign-on is tested against; axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium…" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

cd tests/browser
missing=$(node -e 'const fs = require("fs"); const deps = Object.keys(require("./package.json").dependencies); console.log(deps.filter((d) => !fs.existsSync(`node_modules/${d}/package.json`)).join(" "))')
if [ -n "$missing" ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
fi
