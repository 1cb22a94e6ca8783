"""Whole-pipeline analysis: one article in Python, or a batch run into an output folder."""

from .core import ArticleResult, Resources, analyze_article, load_resources
from .runner import run_analyze, write_report

__all__ = ["ArticleResult", "Resources", "analyze_article", "load_resources", "run_analyze", "write_report"]
