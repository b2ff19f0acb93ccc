"""A daemon thread per kind of job (archive PDFs, deliveries to the archive), each working
through its queue of jobs handed over after a commit. A job that fails is left for the nightly
run, which does the same work again; the log line names the error's type, never a child."""

from __future__ import annotations

import logging
import queue
import threading


class BackgroundWorker:
    name = "background"
    left_for = "the nightly run"

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def handle(self, job) -> None:
        raise NotImplementedError

    def put(self, job) -> None:
        self._queue.put(job)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def wait(self) -> None:
        """Until everything handed over so far is done (tests, shutdown)."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                self.handle(job)
            except Exception as exc:  # noqa: BLE001 - the nightly run retries; never a name
                _log.warning("%s: not done now (%s); %s will", self.name, type(exc).__name__,
                             self.left_for)
            finally:
                self._queue.task_done()


_log = logging.getLogger(__name__)
