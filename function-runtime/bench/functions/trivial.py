"""The benchmark's trivial function: echoes one field."""


def handler(event):
    return {"ok": True, "n": event.get("n")}
