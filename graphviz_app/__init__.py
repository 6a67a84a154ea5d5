"""graphviz_app: the Qt application that plays `core`'s step traces on screen."""

__version__ = "0.2.0"

# The window's tabs by name, in their order: the command line (--tab), screenshots and sessions address
# tabs by these names, never by position (a wheel without one tab must not shift the others).
TAB_NAMES = ("debugger", "lab", "activations", "networks")
