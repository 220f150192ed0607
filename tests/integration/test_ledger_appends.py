"""Two ledger appends at once, on SQLite and PostgreSQL: the second waits, both land, in order."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from mts.audit.ledger import verify_chain
from mts.bootstrap import Application
from mts.services.ledger import record

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_an_append_waits_for_one_still_open_instead_of_taking_its_number(
    app: Application,
) -> None:
    # The API once answered 500 when a council action and the round worker appended at once:
    # both read the same head and took the same sequence number.
    first_appended, errors = threading.Event(), []

    def first() -> None:
        with app.unit_of_work() as uow:
            record(uow, kind="test.first", subject="a", payload={}, actor="a", at=AT)
            first_appended.set()
            threading.Event().wait(0.5)  # hold the transaction open while the second starts
            uow.commit()

    def second() -> None:
        first_appended.wait(10)
        try:
            with app.unit_of_work() as uow:
                record(uow, kind="test.second", subject="b", payload={}, actor="b", at=AT)
                uow.commit()
        except Exception as error:  # the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.unit_of_work() as uow:
        entries = uow.ledger.entries()
    assert [e.kind for e in entries] == ["test.first", "test.second"]
    assert [e.sequence for e in entries] == [1, 2]
    assert verify_chain(entries).ok
