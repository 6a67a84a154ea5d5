"""The main window's exports: the graph as PNG/SVG, the PyTorch script, and animations of the tab in front.

A mixin of `MainWindow`; the writing itself is in `graphviz_app.export` and the view's `export`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog

from graphviz_app.tabs import DEBUGGER


class Exports:
    """File → Export PNG / SVG / PyTorch script / animation, Edit → Copy as PyTorch."""

    def export_file(self, path: str | Path) -> bool:
        return self._export(path, lambda: self.view.export(str(path)))

    def _export(self, path: str | Path, write: Callable[[], object]) -> bool:
        """Run `write`; a failure is a message naming `path`, success a line in the status bar."""
        try:
            write()
        except (OSError, ValueError) as error:
            self.show_message("Cannot export", f"cannot export {path}: {error}", error=True)
            return False
        self.statusBar().showMessage(f"exported {path}", 5000)
        return True

    def export_dialog(self, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {kind.upper()}", f"graph.{kind}", f"{kind.upper()} (*.{kind})"
        )
        if path:
            self.export_file(path if path.lower().endswith(f".{kind}") else f"{path}.{kind}")

    def copy_pytorch(self) -> None:
        from graphviz_app.export.pytorch_script import pytorch_script

        QApplication.clipboard().setText(pytorch_script(self.state))
        self.statusBar().showMessage("copied the PyTorch script: paste it into a .py file or a notebook", 5000)

    def export_pytorch_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export PyTorch script", "graph.py", "Python (*.py)")
        if path:
            self.export_pytorch_file(path if path.lower().endswith(".py") else f"{path}.py")

    def export_pytorch_file(self, path: str | Path) -> bool:
        from graphviz_app.export.pytorch_script import write_pytorch_script

        return self._export(path, lambda: write_pytorch_script(self.state, path))

    def export_animation_dialog(self) -> None:
        """File → Export animation…: of the tab in front (the debugger's steps, the race, a training)."""
        from graphviz_app.export import animation_dialog as dialog

        tab, page = self.current_tab(), self.tab_page(self.current_tab())
        try:
            if tab == "lab" and hasattr(page, "lab"):
                export = dialog.ask_and_export_race(self, page.lab, self.state.runner)
            elif tab == "networks" and hasattr(page, "state"):
                export = dialog.ask_and_export_training(self, page.state, self.state.runner)
            elif tab == DEBUGGER:
                export = dialog.ask_and_export(self, self.state)
            else:
                self.statusBar().showMessage(
                    "Export animation: on the Graph, Optimizer lab and Tiny networks tabs", 6000
                )
                return
        except ValueError as error:
            self.show_message("Cannot export", f"cannot export: {error}", error=True)
            return
        self.watch_animation_export(export)

    def watch_animation_export(self, export) -> None:
        """Status messages of a running animation export (kept alive by its parent, this window)."""
        if export is None:
            return
        export.finished.connect(lambda path: self.statusBar().showMessage(f"exported {path}", 5000))
        export.failed.connect(lambda text: self.show_message("Cannot export", f"cannot export: {text}", error=True))
        self.statusBar().showMessage("exporting the animation…")
