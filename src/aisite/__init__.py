"""aisite: a static site generator for news analysis with first-class claim reviews."""

__version__ = "0.1.0"
