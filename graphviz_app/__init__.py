"""graphviz_app: the Qt application that plays `core`'s step traces on screen."""
