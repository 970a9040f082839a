"""Signed USB packages: keys and signatures, safe ZIP reading, human-readable workbooks, manifests,
and on top of them the package operations (keyring, trust, directory, export, importer, receipt,
commands). No Qt anywhere here. Every refusal is an `errors.ExchangeError` subclass with a Chinese message.
"""


def setup_keys(store, actor, passphrase: str, algorithm: str = "ed25519"):
    """Make this installation's signing key at set-up (the init wizard calls this); see keyring.setup_keys."""
    from desktop_app.exchange.keyring import setup_keys as _setup

    return _setup(store, actor, passphrase, algorithm)
