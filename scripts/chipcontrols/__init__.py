"""Build, validate and publish the ai-chip-export-controls data package."""

__version__ = "0.1.0"
