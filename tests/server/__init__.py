"""Tests of the generated servers against their specs."""
