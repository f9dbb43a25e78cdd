#!/usr/bin/env python3
"""Memoria: build, serve, check and add to a memorial archive. Run `python build.py --help`."""

import sys

from memoria.cli import main

if __name__ == "__main__":
    sys.exit(main())
