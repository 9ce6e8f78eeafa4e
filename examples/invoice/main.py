"""An invoice checker of several files with a dependency: POST {"issued": "2026-03-01", "terms_days": 30,
"lines": [{"amount": "19.90", "qty": 2}]} -> the due date and the total."""
import os

from dateutil.relativedelta import relativedelta  # from requirements.txt (python-dateutil)

from invoice_lib.dates import parse_day
from invoice_lib.money import total


def handler(event):
    issued = parse_day(event["issued"])
    due = issued + relativedelta(days=int(event.get("terms_days", 30)))
    return {"issued": issued.isoformat(), "due": due.isoformat(), "total": total(event.get("lines", [])),
            "currency": os.environ.get("CURRENCY", "EUR")}  # CURRENCY: function.yaml's environment
