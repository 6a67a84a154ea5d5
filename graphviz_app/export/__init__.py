"""Pictures (and later animations) of the scene, with or without a window."""
