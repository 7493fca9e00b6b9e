#!/usr/bin/env bash
# Headless Chromium for the browser check of the operator's view in the Temporal UI
# (test/integration/operator-view.test.ts drives it with playwright-core). It is Debian's `chromium` package,
# never a browser build downloaded by Playwright: the machine reaches the package registries and nothing else.
# Idempotent: a Chromium at $FILLFLOW_CHROMIUM_PATH or /usr/bin/chromium is left as it is; otherwise, as root, it is
# installed with apt-get. Prints one line saying which it did; exits non-zero when there is none and it cannot install.
set -euo pipefail

bin="${FILLFLOW_CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$bin" ]; then
  echo "chromium: found $bin ($("$bin" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
if [ -n "${FILLFLOW_CHROMIUM_PATH:-}" ]; then
  echo "chromium: FILLFLOW_CHROMIUM_PATH is $FILLFLOW_CHROMIUM_PATH, which is not an executable" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "chromium: not found at $bin; install Debian's package as root (apt-get install chromium), or set FILLFLOW_CHROMIUM_PATH" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "chromium: installed Debian's package: $("$bin" --version)"
