"""The Learning Mechanics Hub: load, validate, reproduce, judge and publish claims."""

__version__ = "0.1.0"
