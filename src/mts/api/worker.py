"""Runs rounds in the background, one at a time, while the API answers with progress.

Progress is written to the round's row, so any process can read it. A round
whose worker died mid-solve is marked failed when the server next starts
(``fail_interrupted_rounds``), and can simply be run again.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from mts.bootstrap import Application
from mts.domain.accounts import User
from mts.domain.errors import MtsError
from mts.services import rounds

_log = logging.getLogger("mts.worker")


class RoundWorker:
    """A single background thread that runs submitted rounds in order."""

    def __init__(self, application: Application) -> None:
        self._application = application
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mts-round")

    def submit(self, actor: User, round_id: str) -> Future[None]:
        """Queue ``round_id`` to run as ``actor``."""
        return self._pool.submit(self._run, actor, round_id)

    def _run(self, actor: User, round_id: str) -> None:
        application = self._application

        def report(stage: str, done: float) -> None:
            rounds.record_progress(application.unit_of_work, round_id, stage, done)

        try:
            rounds.run_round(
                application.unit_of_work, actor, round_id, now=application.clock, report=report
            )
        except MtsError as error:
            _log.warning("round %s failed: %s", round_id, error.message)
        except Exception:
            _log.exception("round %s failed unexpectedly", round_id)

    def shutdown(self) -> None:
        """Finish the round under way and stop; rounds still queued stay drafts, to run later."""
        self._pool.shutdown(wait=True, cancel_futures=True)
