"""Dates as the invoices carry them (any format python-dateutil reads: 2026-03-01, 1 March 2026, ...)."""
from dateutil import parser


def parse_day(text):
    return parser.parse(text).date()
