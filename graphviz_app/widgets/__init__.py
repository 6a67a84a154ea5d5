"""Widgets shared by several tabs: the step transport (player) and plot styling."""
