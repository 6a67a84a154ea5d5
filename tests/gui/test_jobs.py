"""InlineRunner: the Qt-free runner the states use in tests and headless exports."""

import pytest

from graphviz_app.jobs import Cancelled, InlineRunner, Job


def test_inline_runner_delivers_the_result_at_once():
    got = []
    InlineRunner().submit("k", lambda job: 6 * 7, got.append)
    assert got == [42]


def test_inline_runner_reports_errors_to_failed_and_raises_without_it():
    errors = []
    InlineRunner().submit("k", lambda job: 1 / 0, print, errors.append)
    assert isinstance(errors[0], ZeroDivisionError)
    with pytest.raises(ZeroDivisionError):
        InlineRunner().submit("k", lambda job: 1 / 0, print)


def test_a_cancelled_job_stops_at_its_next_progress_report():
    job = Job("k")
    job.progress(0.5)
    assert job.fraction == 0.5
    job.cancel()
    with pytest.raises(Cancelled):
        job.progress(0.6)
