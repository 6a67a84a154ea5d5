"""The collector's pause: background work that can wait does so while a build or a scene is in progress."""

import threading
import time

from graphviz_app.debugger import collector


def test_a_worker_waits_while_a_scene_is_made_and_goes_on_once_it_is_complete() -> None:
    finished = threading.Event()
    worker = threading.Thread(target=lambda: (collector.wait_until_settled(lambda: False), finished.set()))
    collector.pause()
    try:
        worker.start()
        time.sleep(0.2)
        assert not finished.is_set()  # still paused: the worker keeps off the GIL
    finally:
        collector.resume()
    assert finished.wait(2.0)
    worker.join()


def test_a_cancelled_worker_stops_waiting_and_the_main_thread_never_waits() -> None:
    cancelled = threading.Event()
    finished = threading.Event()
    worker = threading.Thread(target=lambda: (collector.wait_until_settled(cancelled.is_set), finished.set()))
    collector.pause()
    try:
        worker.start()
        cancelled.set()
        assert finished.wait(2.0)
        start = time.monotonic()
        collector.wait_until_settled(lambda: False)  # an inline runner's job: its own pause would never end
        assert time.monotonic() - start < 0.1
    finally:
        collector.resume()
    worker.join()
