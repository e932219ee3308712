//! The desktop window, in a real X server.

use std::time::Duration;

use certkeeper_tests::support::xvfb::{self, Geometry, Xvfb};
use certkeeper_tests::support::{Daemon, bin, temp_dir, workspace_root};

#[test]
fn window_opens_under_xvfb_and_shows_the_archive() {
    let xvfb = Xvfb::start();
    let home = temp_dir();
    let mut command = xvfb.command(bin::certkeeper());
    command
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("CERTKEEPER_ARCHIVE")
        .env_remove("CERTKEEPER_PASSPHRASE_FILE")
        .env("CERTKEEPER_LANG", "ru")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    let mut app = Daemon::spawn("certkeeper", &mut command);

    // Generous: on a loaded 2-core machine the first window of a debug build takes a while.
    let window = xvfb.wait_for_window("certkeeper", Duration::from_secs(90));
    let geometry = xvfb.geometry(window);
    assert!(
        geometry.width >= 480 && geometry.height >= 280,
        "{geometry:?}"
    );

    // The first frame may come a moment after the window is mapped.
    let shots = workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).expect("create target/screenshots");
    let shot = shots.join("ui-placeholder.png");
    let near_bottom_right = (
        (geometry.x + geometry.width as i32 - 10) as u32,
        (geometry.y + geometry.height as i32 - 10) as u32,
    );
    certkeeper_tests::support::wait_until(
        "the window's first frame",
        Duration::from_secs(10),
        || {
            xvfb.screenshot(&shot);
            // The window's background colour, #f1faee.
            xvfb::pixel(&shot, near_bottom_right.0, near_bottom_right.1) == "srgb(241,250,238)"
        },
    );
    app.assert_running();

    // The heading and the archive path are drawn: the top band of the window holds text, not a flat fill.
    let text_band = Geometry {
        x: geometry.x,
        y: geometry.y,
        width: geometry.width,
        height: 140.min(geometry.height),
    };
    let colours = xvfb::distinct_colours(&shot, text_band);
    assert!(
        colours > 20,
        "only {colours} colours in the text area: is anything drawn? see {}",
        shot.display()
    );
    let empty_band = Geometry {
        x: geometry.x,
        y: geometry.y + geometry.height as i32 - 60,
        width: geometry.width,
        height: 50,
    };
    assert_eq!(
        xvfb::distinct_colours(&shot, empty_band),
        1,
        "the lower part is background only"
    );
}
