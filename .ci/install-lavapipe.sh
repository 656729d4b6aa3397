#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe) so Dawn — onnxruntime's WebGPU backend — finds a Vulkan
# adapter on a machine without a GPU. bookworm's Mesa 22.x lacks a feature Dawn needs, so the driver comes from
# bookworm-backports (Mesa 25.x); the backports suite is added once and pinned so only this package (and what
# it depends on) is taken from it. Idempotent: does nothing when the driver is already there.
# Prints the ICD file to stdout on success.
set -euo pipefail

ICD=/usr/share/vulkan/icd.d/lvp_icd.json
SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources

mesa_major() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | cut -d. -f1 | sed 's/^[0-9]*://'; }

if [ -f "$ICD" ] && [ "$(mesa_major)" -ge 23 ] 2>/dev/null; then
  echo "$ICD"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $SUDO tee "$SOURCES" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  NEED_UPDATE=1
fi
# apt-get update only when the backports lists are missing (first run, or lists cleaned).
if [ "${NEED_UPDATE:-0}" = 1 ] || ! ls /var/lib/apt/lists/*bookworm-backports*Packages* >/dev/null 2>&1; then
  $SUDO apt-get update -qq >&2
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  -t bookworm-backports mesa-vulkan-drivers libvulkan1 >&2
[ -f "$ICD" ] || { echo "lavapipe ICD $ICD missing after install" >&2; exit 1; }
echo "$ICD"
