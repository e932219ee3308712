#!/usr/bin/python3
"""Drops files on an X11 window the way a file manager does (the XDND protocol, version 5), so
that a test can drag files onto the certkeeper window under Xvfb, where no file manager runs.

Usage: xdnd_drop.py WINDOW_ID X Y PATH...   (X, Y inside the window)

Exits 0 once the target has taken the drop (XdndFinished), 1 when it refuses or does not answer.
"""

import sys
import time
import urllib.parse

from Xlib import X, Xatom, display
from Xlib.protocol import event

TIMEOUT = 15.0


def main() -> int:
    target_id = int(sys.argv[1], 0)
    x, y = int(sys.argv[2]), int(sys.argv[3])
    paths = sys.argv[4:]
    uris = "".join(
        "file://" + urllib.parse.quote(path) + "\r\n" for path in paths
    ).encode()

    d = display.Display()
    atom = lambda name: d.intern_atom(name)
    root = d.screen().root
    source = root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    target = d.create_resource_object("window", target_id)
    uri_list = atom("text/uri-list")

    # The window that carries XdndAware: the target or one of its ancestors.
    aware = target
    while aware is not None:
        prop = aware.get_full_property(atom("XdndAware"), Xatom.ATOM)
        if prop is not None:
            break
        parent = aware.query_tree().parent
        aware = None if parent.id == root.id else parent
    if aware is None:
        print("the window is not XdndAware", file=sys.stderr)
        return 1
    version = min(5, int(prop.value[0]))

    source.set_selection_owner(atom("XdndSelection"), X.CurrentTime)
    # The root's origin in the target's coordinates, to place the drop in root coordinates.
    coords = target.translate_coords(root, 0, 0)
    root_x, root_y = x - coords.x, y - coords.y

    def send(name: str, data: list) -> None:
        message = event.ClientMessage(
            window=aware,
            client_type=atom(name),
            data=(32, (data + [0] * 5)[:5]),
        )
        aware.send_event(message, event_mask=X.NoEventMask)
        d.flush()

    send("XdndEnter", [source.id, version << 24, uri_list, 0, 0])
    send("XdndPosition", [source.id, 0, (root_x << 16) | root_y, X.CurrentTime,
                          atom("XdndActionCopy")])

    deadline = time.time() + TIMEOUT
    dropped = False
    while time.time() < deadline:
        if not d.pending_events():
            time.sleep(0.02)
            continue
        e = d.next_event()
        if e.type == X.ClientMessage and e.client_type == atom("XdndStatus"):
            accepted = e.data[1][1] & 1
            if not accepted:
                print("the window refuses the drop", file=sys.stderr)
                send("XdndLeave", [source.id])
                return 1
            if not dropped:
                send("XdndDrop", [source.id, 0, X.CurrentTime])
                dropped = True
        elif e.type == X.SelectionRequest:
            # The target asks for the dropped files as text/uri-list.
            requestor = e.requestor
            prop = e.property or e.target
            if e.target == uri_list:
                requestor.change_property(prop, uri_list, 8, uris)
            else:
                prop = X.NONE
            notify = event.SelectionNotify(
                time=e.time, requestor=requestor, selection=e.selection,
                target=e.target, property=prop,
            )
            requestor.send_event(notify)
            d.flush()
        elif e.type == X.ClientMessage and e.client_type == atom("XdndFinished"):
            return 0
    print("no answer from the window", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
