#!/usr/bin/env bash
# The window with many certificates (issue 9 targets: the first frame under 1 s after unlocking,
# a search keystroke under 50 ms). The window measures itself: with CERTKEEPER_LOG=certkeeper=info it
# logs how long each search took and when the next frame was drawn. Run under Xvfb with the
# software renderer, the keystrokes typed by xdotool, on an archive made by
# storage/examples/fill_archive.rs (copies of a real GOST certificate, deadlines over ten years).
#
# Usage: bench/ui-list.sh [COUNT]   (default 10000; needs xvfb, xdotool, openssl with the GOST engine)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"

cargo build --release --quiet -p certkeeper
cargo build --release --quiet -p certkeeper-storage --example fill_archive

work="$(mktemp -d)"
xvfb_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && cp "$work/log" /tmp/ui-list.log
  rm -rf "$work"
}
trap cleanup EXIT

passphrase="bench-passphrase"
printf '%s' "$passphrase" > "$work/passphrase"
chmod 600 "$work/passphrase"
target/release/examples/fill_archive "$work/archive.db" "$work/passphrase" "$count"

exec 3< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>/dev/null & echo "pid $!")
read -r _ xvfb_pid <&3
read -r display <&3
export DISPLAY=":$display"

CERTKEEPER_LANG=en CERTKEEPER_LOG=certkeeper=info \
  target/release/certkeeper --archive "$work/archive.db" 2> "$work/log" &
app_pid=$!
window="$(xdotool search --sync --onlyvisible --name '^certkeeper$' | head -1)"
xdotool windowfocus --sync "$window"
xdotool mousemove --window "$window" 300 117 click 1
xdotool type --window "$window" --delay 20 "$passphrase"
xdotool key --window "$window" Return
for _ in $(seq 600); do
  grep -q "first frame after unlock" "$work/log" && break
  sleep 0.1
done
sleep 1
# A search typed a key at a time, then taken back: "0", "00", … "00012", and back to everything.
for key in Cyrillic_be Cyrillic_u Cyrillic_ha Cyrillic_ghe space 0 0 0 1 2 BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace; do
  xdotool key --window "$window" "$key"
  sleep 1
done

echo "certkeeper window, $count certificates ($(nproc) cores, software renderer under Xvfb), ms:"
grep -o 'certificates loaded.*' "$work/log" | head -1 | sed 's/^/  unlocked, list read and shown: /'
grep -o 'what="first frame after unlock" elapsed_ms=[0-9.]*' "$work/log" | head -1 \
  | sed 's/^.*elapsed_ms=/  unlock to the event loop free again (first frame): /'
echo "  search keystrokes: filter, then the event loop free again (the redraw queued by the change):"
paste \
  <(grep -o '"search filtered".*\|search filtered elapsed_ms=[0-9.]*' "$work/log" | grep -o 'elapsed_ms=[0-9.]*' | cut -d= -f2) \
  <(grep -o 'what="frame after a keystroke" elapsed_ms=[0-9.]*' "$work/log" | cut -d= -f3) \
  | awk '{ n++; f += $1; l += $2; if ($2 > m) m = $2; printf "    %2d  filter %6.1f   free again %6.1f\n", n, $1, $2 }
         END { if (n) printf "  mean filter %.1f, mean free again %.1f, worst %.1f over %d keystrokes\n", f / n, l / n, m, n }'
