from prometheus_client import REGISTRY

from tests.exam.conftest import course  # noqa: F401 (fixtures the metrics tests drive the tool with)
from tests.proctor.conftest import room, server  # noqa: F401
from tests.realtime.conftest import channel_prefix, redis_bus  # noqa: F401


def sample(name, **labels):
    """A metric's value in this process's registry (0 before its first event)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
