"""What a stay's state changes raise."""


class TransitionError(Exception):
    """A state change that the request's current state does not allow."""
