class DomainError(Exception):
    """A business rule refused an action. The message is for the user, in Chinese first."""
