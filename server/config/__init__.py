"""Configuration files read for an operator: every mistake named by file, line and key.

`toml_reader` (with `toml_locator`) reads any TOML file that way; the other modules are the
building file, one module a subject, and `demo` the demo building shipped with the package.
"""

from server.config.building import load_building, parse_building
from server.config.demo import (
    demo_building_path,
    demo_credentials_path,
    load_demo_building,
    load_demo_credentials,
)
from server.config.hours import WEEKDAYS
from server.config.identity import content_digest, load_building_file
from server.config.toml_reader import ConfigError, ConfigProblem

__all__ = [
    "WEEKDAYS",
    "ConfigError",
    "ConfigProblem",
    "content_digest",
    "demo_building_path",
    "demo_credentials_path",
    "load_building",
    "load_building_file",
    "load_demo_building",
    "load_demo_credentials",
    "parse_building",
]
