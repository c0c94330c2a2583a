"""crossverify: taxpayer-address cross-verification gateway."""

__version__ = "0.1.0"
