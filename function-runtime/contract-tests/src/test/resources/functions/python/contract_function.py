# The contract suite's Python function: a two-parameter handler whose behaviour the event chooses.
import os
import time


def handler(event, attributes):
    action = event.get("action", "echo")
    if action == "echo":
        return {"echo": event}
    if action == "attributes":
        return {"attributes": attributes}
    if action == "invalid":
        raise ValueError(event.get("why", "invalid"))
    if action == "fail":
        raise RuntimeError("secret-detail-" + str(event.get("secret")))
    if action in ("sleep", "hold"):
        time.sleep(event["ms"] / 1000.0)
        return {"slept": event["ms"]}
    if action == "unserialisable":
        return {"value": object()}
    if action == "nan":
        return {"x": float("nan")}
    if action == "touch":  # a side effect the suite can see: the handler ran
        with open(event["path"], "w") as f:
            f.write("touched")
        return {"touched": event["path"]}
    if action == "typed":
        return {"status": "ok", "count": 2, "ratio": 0.5, "tags": ["a", "b"], "nested": {"flag": True, "none": None}}
    return {"unknown": action}


if __name__ == "__main__":
    with open(os.environ["MARKER"], "w") as f:
        f.write("the main block ran")
