//! An X server (Xvfb) on a free display, private to one test, with window look-ups (xdotool) and
//! screenshots (ImageMagick).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Daemon, require_program, run, wait_until};

/// A running Xvfb.
#[derive(Debug)]
pub struct Xvfb {
    display: String,
    _daemon: Daemon,
}

/// Where a window is on the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Xvfb {
    /// Starts Xvfb with a 1280×800 24-bit screen on the first free display.
    pub fn start() -> Self {
        let program = require_program("Xvfb", "xvfb");
        // `-displayfd 1` makes Xvfb pick a free display and write its number to our pipe once ready.
        // `-noreset`: by default the server resets when its last client leaves, and a window started
        // right after another was stopped (or after an xdotool look-up) could not connect meanwhile
        // ("Failed to open connection to X server"); a desktop's X server does not do that.
        let mut daemon = Daemon::spawn(
            "Xvfb",
            Command::new(program)
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        let stdout = daemon.child_mut().stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read Xvfb's display number");
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not report a display number (got {line:?})"));
        Self {
            display: format!(":{number}"),
            _daemon: daemon,
        }
    }

    /// The display name, e.g. `:3`, for `DISPLAY`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// `program` with `DISPLAY` set to this server and no Wayland display.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY");
        command
    }

    /// Waits for a window whose title is exactly `title` and returns its X window id.
    pub fn wait_for_window(&self, title: &str, timeout: Duration) -> u64 {
        require_program("xdotool", "xdotool");
        let pattern = format!("^{title}$");
        let mut found = None;
        wait_until(&format!("a window titled {title:?}"), timeout, || {
            let output = self
                .command("xdotool")
                .args(["search", "--onlyvisible", "--name", &pattern])
                .output()
                .expect("run xdotool");
            found = String::from_utf8_lossy(&output.stdout)
                .lines()
                .find_map(|line| line.trim().parse().ok());
            found.is_some()
        });
        found.expect("window id")
    }

    /// Where the window is and how big.
    pub fn geometry(&self, window: u64) -> Geometry {
        let output = run(self.command("xdotool").args([
            "getwindowgeometry",
            "--shell",
            &window.to_string(),
        ]));
        let text = String::from_utf8_lossy(&output.stdout);
        let field = |name: &str| -> i64 {
            text.lines()
                .find_map(|line| line.strip_prefix(&format!("{name}=")))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or_else(|| panic!("xdotool gave no {name}: {text}"))
        };
        Geometry {
            x: field("X") as i32,
            y: field("Y") as i32,
            width: field("WIDTH") as u32,
            height: field("HEIGHT") as u32,
        }
    }

    /// Switches the screen to a 1280×800 mode with a 60 Hz refresh rate (xrandr). Xvfb's own mode
    /// reports 0 Hz, which Wine passes on to Windows programs as the monitor's refresh rate, and
    /// Slint 1.18's winit back end divides by it (a panic in its frame throttle); a real monitor, and
    /// Xvfb after this, has a rate.
    pub fn use_a_60_hz_mode(&self) {
        require_program("xrandr", "x11-xserver-utils");
        // The VESA CVT timings of 1280x800 at 60 Hz (`cvt 1280 800 60`).
        run(self.command("xrandr").args([
            "--newmode",
            "1280x800_60",
            "83.50",
            "1280",
            "1352",
            "1480",
            "1680",
            "800",
            "803",
            "809",
            "831",
            "-hsync",
            "+vsync",
        ]));
        run(self
            .command("xrandr")
            .args(["--addmode", "screen", "1280x800_60"]));
        run(self
            .command("xrandr")
            .args(["--output", "screen", "--mode", "1280x800_60"]));
    }

    /// Types ASCII `text` through the XTEST extension into whatever has the focus: for programs
    /// that take no synthetic key events (Wine's), after [`Xvfb::click`] gave the focus.
    pub fn type_through_xtest(&self, text: &str) {
        run(self
            .command("xdotool")
            .args(["type", "--delay", "30", text]));
    }

    /// Presses a key through the XTEST extension (see [`Xvfb::type_through_xtest`]).
    pub fn key_through_xtest(&self, key: &str) {
        run(self.command("xdotool").args(["key", key]));
    }

    /// Clicks at (`x`, `y`) inside `window` (giving it the keyboard focus, which no window manager
    /// gives here).
    pub fn click(&self, window: u64, x: i32, y: i32) {
        run(self
            .command("xdotool")
            .args(["windowfocus", "--sync", &window.to_string()]));
        run(self.command("xdotool").args([
            "mousemove",
            "--window",
            &window.to_string(),
            &x.to_string(),
            &y.to_string(),
            "click",
            "1",
        ]));
    }

    /// Types ASCII `text` into the window with the focus.
    pub fn type_text(&self, window: u64, text: &str) {
        run(self.command("xdotool").args([
            "type",
            "--window",
            &window.to_string(),
            "--delay",
            "30",
            text,
        ]));
    }

    /// Drops `paths` on `window` at (`x`, `y`) as a file manager would (the XDND protocol, by
    /// `xdnd_drop.py` beside this file; python3-xlib), and waits until the window has taken them.
    pub fn drop_files(&self, window: u64, x: i32, y: i32, paths: &[&Path]) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join("support")
            .join("xdnd_drop.py");
        run(self
            .command("/usr/bin/python3")
            .arg(script)
            .args([window.to_string(), x.to_string(), y.to_string()])
            .args(paths));
    }

    /// Presses a key (an X keysym name such as `Return`).
    pub fn key(&self, window: u64, key: &str) {
        run(self
            .command("xdotool")
            .args(["key", "--window", &window.to_string(), key]));
    }

    /// Saves `window` alone as a PNG file (the screen cropped to it).
    pub fn window_screenshot(&self, window: u64, path: &Path) {
        let whole = path.with_extension("screen.png");
        self.screenshot(&whole);
        let geometry = self.geometry(window);
        run(Command::new("convert")
            .arg(&whole)
            .args([
                "-crop",
                &format!(
                    "{}x{}+{}+{}",
                    geometry.width, geometry.height, geometry.x, geometry.y
                ),
                "+repage",
            ])
            .arg(path));
        let _ = std::fs::remove_file(&whole);
    }

    /// Saves the whole screen as a PNG file.
    pub fn screenshot(&self, path: &Path) {
        require_program("import", "imagemagick");
        run(self
            .command("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(path));
    }
}

/// The colour of one pixel of a PNG file as ImageMagick names it, e.g. `srgb(241,250,238)`.
pub fn pixel(png: &Path, x: u32, y: u32) -> String {
    let output = run(Command::new("convert").arg(png).args([
        "-format",
        &format!("%[pixel:p{{{x},{y}}}]"),
        "info:",
    ]));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// How many distinct colours a region of a PNG file holds: text and drawings give many, an empty
/// area one.
pub fn distinct_colours(png: &Path, region: Geometry) -> u64 {
    let crop = format!(
        "{}x{}+{}+{}",
        region.width, region.height, region.x, region.y
    );
    let output = run(Command::new("convert")
        .arg(png)
        .args(["-crop", &crop, "+repage", "-format", "%k", "info:"]));
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("ImageMagick's colour count")
}

/// How many pixels of a PNG file have exactly `colour` (e.g. `srgb(230,57,70)`).
pub fn pixels_of(png: &Path, colour: &str) -> u64 {
    let output = run(Command::new("convert")
        .arg(png)
        .args(["-format", "%c", "histogram:info:-"]));
    let wanted = colour.replace(' ', "");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.replace(' ', "").contains(&wanted) || line.contains(&hex_of(&wanted)))
        .filter_map(|line| line.trim().split(':').next()?.trim().parse::<u64>().ok())
        .sum()
}

/// The centre of the box around every pixel of `colour` (`#RRGGBB`) in a PNG file below the
/// line `below`, if there is one: where to click a button drawn in a colour nothing else there
/// has (the primary button of a view, say; a focused field's underline above it is left out).
pub fn centre_of(png: &Path, colour: &str, below: i32) -> Option<(i32, i32)> {
    let output = run(Command::new("convert").arg(png).args([
        "-crop",
        &format!("+0+{below}"),
        "+repage",
        "-fill",
        "black",
        "+opaque",
        colour,
        "-fill",
        "white",
        "-opaque",
        colour,
        "-format",
        "%@",
        "info:",
    ]));
    // "WxH+X+Y"
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let (size, offset) = text.split_once('+')?;
    let (width, height) = size.split_once('x')?;
    let (x, y) = offset.split_once('+')?;
    let (width, height, x, y): (i32, i32, i32, i32) = (
        width.parse().ok()?,
        height.parse().ok()?,
        x.parse().ok()?,
        y.parse().ok()?,
    );
    (width > 1 && height > 1 && width < 2000).then_some((x + width / 2, below + y + height / 2))
}

/// `#RRGGBB` of `srgb(r,g,b)`.
fn hex_of(colour: &str) -> String {
    let inner = colour
        .trim_start_matches("srgb(")
        .trim_end_matches(')')
        .split(',')
        .filter_map(|part| part.trim().parse::<u8>().ok())
        .map(|value| format!("{value:02X}"))
        .collect::<String>();
    format!("#{inner} ")
}
