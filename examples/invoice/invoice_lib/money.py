"""Amounts in decimal, never float."""
from decimal import Decimal


def total(lines):
    return str(sum((Decimal(str(line["amount"])) * int(line.get("qty", 1)) for line in lines), Decimal("0.00")))
