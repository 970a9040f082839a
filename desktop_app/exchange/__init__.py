"""Signed USB packages: keys and signatures, safe ZIP reading, human-readable workbooks, manifests.

No Qt and no database here: the package import/export built on top of these modules lives with
the services. Every refusal is an `errors.ExchangeError` subclass with a Chinese message.
"""
