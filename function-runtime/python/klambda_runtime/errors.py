"""The runtime's two failures: a setting it cannot use, and an answer other than 200."""


class ConfigError(Exception):
    """A setting of the runtime or the function folder is unusable."""


class HttpError(Exception):
    """An answer other than 200, with a stable error code and a message for a person."""

    def __init__(self, status, code, message, close=False):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.close = close
