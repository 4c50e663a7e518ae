"""A token bucket: how many messages one socket may send, so a runaway or hostile page cannot flood the
database with events. A refused message is answered with an error frame; pages resend what was not acked."""

import time


class TokenBucket:
    def __init__(self, rate, burst, clock=time.monotonic):
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._at = clock()

    def take(self):
        """Spend one token if there is one; False means: over the limit, refuse this message."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
