"""A stand-in for another app's demo module, to test that optional loaders are called."""

CALLS: list = []


def load(now):
    CALLS.append(now)
