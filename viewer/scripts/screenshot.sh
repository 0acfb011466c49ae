#!/usr/bin/env bash
# Runs the real viewer under Xvfb on the fixtures and writes PNGs to OUT (default
# target-screenshots/), driving it with xdotool key presses. Installs nothing itself; needs
# (see ../shared/notes/egui-testing.md):
#   apt-get install -y --no-install-recommends xvfb xauth imagemagick x11-utils xdotool libgl1 \
#     libglx-mesa0 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libxkbcommon-x11-0 libfontconfig1 \
#     mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1
# Usage: viewer/scripts/screenshot.sh [OUT]   (SPINDLE_VIEWER_BIN=path: use that binary;
#   ONLY=regex: take only the shots whose name matches)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="$(realpath -m "${1:-target-screenshots}")"
mkdir -p "$OUT"
for tool in xvfb-run import xwininfo xdotool; do
    command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool is missing (see the apt list above)" >&2; exit 1; }
done
# SPINDLE_VIEWER_BIN: an already built viewer to use instead of building this checkout's.
if [ -n "${SPINDLE_VIEWER_BIN:-}" ]; then
    BIN="$SPINDLE_VIEWER_BIN"
else
    cargo build -q -p spindle-viewer --bin spindle-viewer
    BIN="${CARGO_TARGET_DIR:-target}/debug/spindle-viewer"
fi
cargo run -q -p spindle-viewer --example write_fixtures -- "$OUT/fixtures" 100000
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
# A fresh config dir so persisted settings from earlier runs do not change the pictures.
export XDG_DATA_HOME="$(mktemp -d)" XDG_CONFIG_HOME="$(mktemp -d)"
F="$OUT/fixtures"

# shot NAME THEME "KEYS ..." FILE...: start the app on FILEs in THEME (dark or light), press
# KEYS (xdotool key names; "sleep" pauses; "click:X:Y" clicks there, "rclick:X:Y" right-clicks),
# capture the screen, stop the app.
shot() {
    local name="$1" theme="$2" keys="$3"
    shift 3
    SPINDLE_VIEWER_THEME="$theme" xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
        "$0" "${@:3}" & pid=$!
        for _ in $(seq 1 150); do xwininfo -name "Spindle viewer" >/dev/null 2>&1 && break; sleep 0.2; done
        sleep 3
        wid=$(xdotool search --name "Spindle viewer" | head -n1)
        xdotool windowactivate --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid" || true
        for k in $2; do
            case "$k" in
                sleep) sleep 1 ;;
                click:*) IFS=: read -r _ x y <<<"$k"; xdotool mousemove "$x" "$y" click 1; sleep 0.5 ;;
                rclick:*) IFS=: read -r _ x y <<<"$k"; xdotool mousemove "$x" "$y" click 3; sleep 0.5 ;;
                *) xdotool key --window "$wid" "$k"; sleep 0.3 ;;
            esac
        done
        sleep 1
        import -window root "$1"
        kill $pid 2>/dev/null || true' "$BIN" "$OUT/$name.png" "$keys" "$@"
}

# shot_retry ...: `shot`, tried up to three times (Xvfb now and then fails to come up when the
# previous server is still going away).
shot_retry() {
    local name="$1"
    if [ -n "${ONLY:-}" ] && [[ ! "$name" =~ $ONLY ]]; then return 0; fi
    for attempt in 1 2 3; do
        rm -f "$OUT/$name.png"
        shot "$@" || true
        if [ -s "$OUT/$name.png" ]; then
            echo "wrote $OUT/$name.png"
            return 0
        fi
        echo "screenshot.sh: $name failed (attempt $attempt), retrying" >&2
        sleep 2
    done
    return 1
}

S="$F/shop.spindle.json"
W="$F/worker.zipkin.json"
shot_retry 01-timeline dark "Down Down Down Down Down Down" "$S" "$W"
shot_retry 02-search dark "slash c a r t Return sleep" "$S" "$W"
shot_retry 03-flame dark "Down Down Down 2" "$S" "$W"
shot_retry 04-aggregate dark "3 sleep click:420:193" "$S" "$W"
shot_retry 05-help dark "question" "$S"
shot_retry 06-problems dark "" "$S" "$F/junk.json" "$F/partial.zipkin.json"
shot_retry 07-wide-timeline dark "Down" "$F/wide.spindle.json"
shot_retry 08-wide-flame dark "2" "$F/wide.spindle.json"
shot_retry 09-light-timeline light "Down Down Down Down Down" "$S" "$W"
shot_retry 10-light-flame light "Down Down Down Down Down Down 2" "$S" "$W"
shot_retry 11-light-aggregate light "3 sleep click:360:213" "$S" "$W"
shot_retry 12-light-problems light "Down" "$W" "$F/junk.json" "$F/partial.zipkin.json"
shot_retry 13-subtree dark "Down Down Down Down s" "$S" "$W"
shot_retry 14-sandwich dark "3 sleep rclick:380:228 sleep click:430:243 sleep" "$S" "$W"
