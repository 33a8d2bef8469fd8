"""Language understanding for stairbot: category, urgency and room of a chat message.

Pure: imports nothing else of stairbot and reads only its own data files.
"""

from .analysis import CATEGORIES, Analysis
from .analyzer import Analyzer, analyze
from .corpus import load_records
from .model import train_model
from .normalize import normalize
from .rooms import extract_room
from .segment import tokenize

__all__ = [
    "CATEGORIES",
    "Analysis",
    "Analyzer",
    "analyze",
    "extract_room",
    "load_records",
    "normalize",
    "tokenize",
    "train_model",
]
