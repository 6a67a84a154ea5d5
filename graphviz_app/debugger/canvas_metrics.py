"""The graph canvas's sizes in pixels and zoom levels: spacing, label growth, when a scene is big.

Shared by the view (`graph_view`), the scene's making (`scene_build`) and the labels' sizing
(`label_sizing`); one place, so that the three agree.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF

# Spacing is as tight as the labels allow: the tighter the drawing, the larger fit() can show the text.
LAYER_PX = 140.0  # between layers: room for an edge label between two nodes
SLOT_PX = 125.0  # between slots: room for a value above and a gradient below each edge
STUB_PX = 120.0  # the output's outgoing stub edge
FIT_MARGIN = 30.0
MAX_FIT_ZOOM = 2.0  # a 3-node graph should not fill a projector wall
MIN_LABEL_SCREEN_PX = 12.5  # zoomed out, edge numbers grow (up to MAX_LABEL_GROWTH) to stay >= 12 px
MAX_LABEL_GROWTH = 1.6
LABEL_ROOM = QPointF(80.0, 26.0)  # the space a typical edge number takes
LABEL_ZOOM = 0.3  # zoomed out further, edge numbers are unreadable (< 6 px) and are not drawn
# Below this the numbers would be < 12 px even grown: fit() shows the current part of the graph instead.
MIN_FIT_ZOOM = MIN_LABEL_SCREEN_PX / (17 * MAX_LABEL_GROWTH)  # 17 px: label_font()
MIN_ZOOM, MAX_ZOOM = 0.002, 8.0  # a 5,000-node graph fits whole at about 0.004
OVERVIEW_ZOOM = 0.06  # zoomed out further, a big graph is drawn as one path (nodes are specks)
CHUNK_ITEMS = 400  # graphs with more nodes are big: labels placed quickly, fitted at MIN_FIT_ZOOM
# Graphs with more nodes than this get their scene made in slices of the event loop: made at once, a
# 375-node scene held the window for ~200 ms; a small one is on screen sooner made at once.
SYNC_ITEMS = 150
AFTER_SHOWING_MS = 100  # a chunked build is finished after its first paint, or this long after showing
DISPOSE_AFTER_MS = 100  # an old scene's items are deleted from this long after the new one is shown
SLICE_ITEMS = 20  # items made between two looks at the clock
SLICE_S = 0.012  # then the event loop runs: the window stays responsive while a big scene is made
LABELS_KEY = "debugger.labels"
# Labels shown larger than the size their places were searched for (at all), or this much smaller, are
# placed again; places are searched for a little more than the size expected (PLACE_ROOM), so that the
# small change of zoom a search's result brings does not make them collide.
REPLACE_RATIO = 1.25
PLACE_ROOM = 1.04
BUSY_AFTER_MS = 300  # a build that takes longer shows its progress (and a Cancel button)
