# Shared by .ci/install-and-run and .ci/install-and-test: Debian packages and the Rust toolchain.
# Sourced, not run.

# To build certkeeper (the pcsc crate needs libpcsclite-dev and pkg-config; reqwest's TLS libssl-dev; Slint
# needs fontconfig).
BUILD_PACKAGES=(ca-certificates curl gcc libc6-dev pkg-config libpcsclite-dev libssl-dev libfontconfig1-dev libxkbcommon-dev)
# To run the desktop window (winit loads the X11/Wayland libraries at run time) and reach tokens.
RUN_PACKAGES=(libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon0 libxkbcommon-x11-0
  libwayland-client0 libwayland-cursor0 libfontconfig1 libssl3 fonts-dejavu-core libpcsclite1 pcscd)
# The real peers and services the tests talk to (see tests/src/support/mod.rs).
TEST_PACKAGES=(openssl libengine-gost-openssl stunnel4 softhsm2 opensc opensc-pkcs11 bsdutils pcscd vsmartcard-vpcd vsmartcard-vpicc
  python3 python3-pycryptodome python3-icalendar python3-xlib desktop-file-utils systemd dbus libglib2.0-bin dunst xvfb xdotool imagemagick
  x11-xserver-utils man-db appstream
  dpkg-dev lintian rpm rpm2cpio
  gcc-mingw-w64-x86-64 wine64 wixl)
# The Windows build (issue 21): rustup's x86_64-pc-windows-gnu target, linked by Debian's mingw-w64,
# packed into an MSI by wixl, and run by the tests under Debian's Wine (wine64).
WINDOWS_TARGET=x86_64-pc-windows-gnu

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the given Debian packages; `apt-get update` only when something is missing.
install_packages() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# certkeeper needs Rust 1.92 or newer (Slint 1.18); Debian's own rustc is older, so use rustup's.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "Installing Rust with rustup (https://rustup.rs)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  local version
  version=$(rustc --version | awk '{print $2}')
  if [ "$(printf '%s\n1.92.0\n' "$version" | sort -V | head -n1)" != "1.92.0" ]; then
    if command -v rustup >/dev/null 2>&1; then
      rustup update stable
    else
      echo "Rust $version is too old: certkeeper needs 1.92 or newer (https://rustup.rs)" >&2
      exit 1
    fi
  fi
}

# Builds certkeeper for Windows (the program and the libraries it is made of; the test package drives
# Linux services and stays Linux's), warnings denied. The target comes from rustup.
build_for_windows() {
  if ! rustup target list --installed | grep -qx "$WINDOWS_TARGET"; then
    rustup target add "$WINDOWS_TARGET"
  fi
  RUSTFLAGS="-D warnings" cargo build --locked --target "$WINDOWS_TARGET" \
    -p certkeeper -p certkeeper-core -p certkeeper-storage
  ls -l "target/$WINDOWS_TARGET/debug/certkeeper.exe"
}

# Installs the built binary for the user with its menu entry and icon: ~/.local/bin/certkeeper,
# ~/.local/share/applications/certkeeper.desktop (Exec with the full path, so it works whether or not
# ~/.local/bin is on PATH) and the icon in the hicolor theme.
install_desktop_entry() {
  local binary="$1"
  local data="${XDG_DATA_HOME:-$HOME/.local/share}"
  mkdir -p "$HOME/.local/bin" "$data/applications" "$data/icons/hicolor/scalable/apps"
  install -m 0755 "$binary" "$HOME/.local/bin/certkeeper"
  install -m 0644 app/assets/certkeeper.svg "$data/icons/hicolor/scalable/apps/certkeeper.svg"
  sed "s|^Exec=certkeeper$|Exec=$HOME/.local/bin/certkeeper|" app/assets/certkeeper.desktop \
    > "$data/applications/certkeeper.desktop"
  chmod 0644 "$data/applications/certkeeper.desktop"
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database "$data/applications" >/dev/null 2>&1 || true
  fi
}
