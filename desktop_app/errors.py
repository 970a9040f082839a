"""Exceptions shared by every layer. Messages are Simplified Chinese: they reach the user as they are."""


class GovisError(Exception):
    """Base: an expected refusal with a message fit to show the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(GovisError):
    """Input that does not fit its form. `fields` maps field name -> Chinese message."""

    def __init__(self, fields: dict[str, str], message: str | None = None):
        self.fields = dict(fields)
        text = message or "；".join(self.fields.values())
        super().__init__(text)


class Refused(GovisError):
    """A rule, gate, role or lifecycle refusal. Carries the clause it cites, if any."""

    def __init__(self, message: str, clause: str | None = None, rule_id: str | None = None):
        self.clause = clause
        self.rule_id = rule_id
        super().__init__(f"{message}（依据：通知{clause}）" if clause else message)


class StatusRefused(Refused):
    """Refused only because of the project's current status (a package may reach that status later)."""


class NotFound(GovisError):
    pass


class StoreError(GovisError):
    """The database file cannot be used (missing, locked, newer schema, disk full)."""

    damaged = False  # set when SQLite says the file is damaged: the newest good backup is offered
