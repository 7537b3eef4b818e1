"""A separate OS process running escalation passes, for the concurrency tests.

    python escalation_worker.py DATABASE_URL SMTP_URL AS_OF MODE [CLAIM_RECIPIENTS]

It connects, prints "ready", waits for a line on stdin (so that two workers start together), then:
MODE "pass" runs one pass and prints its summary as JSON; MODE "die" sends the first email of its
first batch and then hangs before the second, so the test can kill it mid-batch with SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from notify import outbox, sender  # noqa: E402
from notify.mailer import SmtpMailer  # noqa: E402
from notify.passes import Notifier  # noqa: E402
from tasks.db import Db  # noqa: E402


class DiesMidBatch(SmtpMailer):
    async def send(self, messages, on_result=None, before_send=None):
        async def first_then_hang(index, error):
            await on_result(index, error)
            print("sent-one", flush=True)
            await asyncio.sleep(3600)

        return await super().send(messages[:2], on_result=first_then_hang, before_send=before_send)


async def main(database_url: str, smtp_url: str, as_of: str, mode: str, claim_recipients: int) -> None:
    outbox.CLAIM_RECIPIENTS = claim_recipients
    sender.MAX_LISTED = 100_000  # every task listed, so the test sees each notification in the mail
    db = Db.from_url(database_url)
    await db.open()
    try:
        mailer = DiesMidBatch(smtp_url) if mode == "die" else SmtpMailer(smtp_url)
        notifier = Notifier(db, mailer, timezone="Asia/Ho_Chi_Minh", base_url="http://dondoc.test", mail_from="dondoc@sct.example.vn")
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        result = await notifier.run_pass(datetime.fromisoformat(as_of))
        print(json.dumps(result.summary()), flush=True)
    finally:
        await db.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0], args[1], args[2], args[3], int(args[4]) if len(args) > 4 else outbox.CLAIM_RECIPIENTS))
