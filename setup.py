"""Packages: everything under chatforge/, and specs/ as the package data `chatforge.specs`."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["chatforge", "chatforge.*"]), "chatforge.specs"],
    package_dir={"chatforge.specs": "specs"},
)
