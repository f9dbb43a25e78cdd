"""Memoria: a static site generator for memorial archives."""

__version__ = "0.1.0"
