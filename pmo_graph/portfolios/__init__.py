"""Portfolios: the collections of projects a portfolio office balances."""
