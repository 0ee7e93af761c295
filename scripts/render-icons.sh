#!/bin/sh
# Renders resources/safekeep.svg to the PNG sizes of the freedesktop icon theme (hicolor), which the
# Electron window and Linux desktops use. Needs rsvg-convert (Debian: apt-get install librsvg2-bin).
# The PNGs are committed: run this again after changing the SVG.
set -eu
cd "$(dirname "$0")/.."
for size in 16 24 32 48 64 128 256 512; do
  dir="resources/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  rsvg-convert --width "$size" --height "$size" resources/safekeep.svg --output "$dir/safekeep.png"
done
