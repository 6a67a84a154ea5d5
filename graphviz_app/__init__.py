"""graphviz_app: the Qt application that plays `core`'s step traces on screen."""

__version__ = "0.2.0"
