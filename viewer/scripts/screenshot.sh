#!/usr/bin/env bash
# Runs the real viewer under Xvfb on the fixtures and writes PNGs to OUT (default
# target-screenshots/), driving it with xdotool key presses. Installs nothing itself; needs
# (see ../shared/notes/egui-testing.md):
#   apt-get install -y --no-install-recommends xvfb xauth imagemagick x11-utils xdotool libgl1 \
#     libglx-mesa0 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libxkbcommon-x11-0 libfontconfig1 \
#     mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1
# Usage: viewer/scripts/screenshot.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="$(realpath -m "${1:-target-screenshots}")"
mkdir -p "$OUT"
for tool in xvfb-run import xwininfo xdotool; do
    command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool is missing (see the apt list above)" >&2; exit 1; }
done
cargo build -q -p spindle-viewer --bin spindle-viewer
cargo run -q -p spindle-viewer --example write_fixtures -- "$OUT/fixtures" 100000
BIN="${CARGO_TARGET_DIR:-target}/debug/spindle-viewer"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
# A fresh config dir so persisted settings from earlier runs do not change the pictures.
export XDG_DATA_HOME="$(mktemp -d)" XDG_CONFIG_HOME="$(mktemp -d)"
F="$OUT/fixtures"

# shot NAME "KEYS ..." FILE...: start the app on FILEs, press KEYS (xdotool key names; "sleep"
# pauses), capture the screen, stop the app.
shot() {
    local name="$1" keys="$2"
    shift 2
    xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
        "$0" "${@:3}" & pid=$!
        for _ in $(seq 1 150); do xwininfo -name "Spindle viewer" >/dev/null 2>&1 && break; sleep 0.2; done
        sleep 3
        wid=$(xdotool search --name "Spindle viewer" | head -n1)
        xdotool windowactivate --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid" || true
        for k in $2; do
            if [ "$k" = sleep ]; then sleep 1; else xdotool key --window "$wid" "$k"; sleep 0.3; fi
        done
        sleep 1
        import -window root "$1"
        kill $pid' "$BIN" "$OUT/$name.png" "$keys" "$@"
    echo "wrote $OUT/$name.png"
}

shot 01-timeline "Down Down Down Down Down Down" "$F/shop.spindle.json" "$F/worker.zipkin.json"
shot 02-search "slash c a r t Return sleep" "$F/shop.spindle.json" "$F/worker.zipkin.json"
shot 03-flame "Down Down Down 2" "$F/shop.spindle.json" "$F/worker.zipkin.json"
shot 04-aggregate "3" "$F/shop.spindle.json" "$F/worker.zipkin.json"
shot 05-help "question" "$F/shop.spindle.json"
shot 06-problems "" "$F/shop.spindle.json" "$F/junk.json" "$F/partial.zipkin.json"
shot 07-wide-timeline "Down" "$F/wide.spindle.json"
shot 08-wide-flame "2" "$F/wide.spindle.json"
