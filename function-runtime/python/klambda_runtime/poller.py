"""The event loop's readiness source: epoll on Linux, read straight (selectors' select() builds a key list in Python,
~0.5 us a request here), else a selectors.DefaultSelector behind the same calls."""
import selectors

try:
    from select import epoll
except ImportError:  # not Linux
    epoll = None

READ, WRITE = 1, 4  # EPOLLIN, EPOLLOUT


class Poller:
    """register / modify / unregister a socket for reading or for writing; poll(timeout) -> [(fd, event mask)]."""

    def __init__(self):
        self.epoll = epoll() if epoll is not None else None
        self.selector = None if self.epoll is not None else selectors.DefaultSelector()

    def register(self, sock, mask=READ):
        if self.epoll is not None:
            self.epoll.register(sock.fileno(), mask)
        else:
            self.selector.register(sock, selectors.EVENT_WRITE if mask == WRITE else selectors.EVENT_READ)

    def modify(self, sock, mask):
        if self.epoll is not None:
            self.epoll.modify(sock.fileno(), mask)
        else:
            self.selector.modify(sock, selectors.EVENT_WRITE if mask == WRITE else selectors.EVENT_READ)

    def unregister(self, sock):
        """Forgets a socket (before it is closed); a socket it does not know is no error."""
        try:
            if self.epoll is not None:
                self.epoll.unregister(sock.fileno())
            else:
                self.selector.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass

    def poll(self, timeout):
        """The sockets ready within `timeout` seconds, as (fd, mask): what each was registered for, or a hang-up or
        error, which the caller meets on its next read or write."""
        if self.epoll is not None:
            return self.epoll.poll(timeout)
        return [(key.fd, WRITE if events & selectors.EVENT_WRITE else READ)
                for key, events in self.selector.select(timeout)]

    def close(self):
        (self.epoll or self.selector).close()
