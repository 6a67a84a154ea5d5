"""ThreadRunner: work off the GUI thread, results on it, newer jobs supersede older ones."""

import threading
import time

from graphviz_app.widgets.background import ThreadRunner


def test_the_result_arrives_on_the_gui_thread(qtbot):
    runner = ThreadRunner()
    seen = []
    worker_threads = []

    def work(job):
        worker_threads.append(threading.current_thread())
        return 42

    runner.submit("k", work, lambda r: seen.append((r, threading.current_thread())))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [(42, threading.main_thread())]
    assert worker_threads[0] is not threading.main_thread()
    assert not runner.busy()


def test_a_newer_job_under_the_same_key_supersedes_the_older(qtbot):
    runner = ThreadRunner()
    seen = []
    release = threading.Event()

    def slow(job):
        release.wait(5)
        for i in range(100):
            job.progress(i / 100)
            time.sleep(0.001)
        return "old"

    runner.submit("k", slow, seen.append)
    runner.submit("k", lambda job: "new", seen.append)
    release.set()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert runner.wait(5000)
    qtbot.wait(50)
    assert seen == ["new"]


def test_errors_go_to_failed(qtbot):
    runner = ThreadRunner()
    errors = []
    runner.submit("k", lambda job: 1 / 0, print, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_a_job_that_ends_after_its_window_closed_says_nothing(capfd):
    import shiboken6

    runner = ThreadRunner()
    release = threading.Event()

    def work(job):
        release.wait(5)
        job.progress(0.5)
        return 1

    runner.submit("k", work, lambda r: None)
    for *_, signals in runner._callbacks.values():
        shiboken6.delete(signals)  # what closing the window does to a job still running
    release.set()
    assert runner.wait(5000)
    assert "Signal source has been deleted" not in capfd.readouterr().err
