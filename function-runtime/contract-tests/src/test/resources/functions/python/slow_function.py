# Loads slowly (1.5 s at import): the runtime must not be ready before it is loaded.
import time

time.sleep(1.5)


def handler(event):
    return {"ok": True}
