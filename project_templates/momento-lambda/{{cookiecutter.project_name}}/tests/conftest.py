"""Put src/ on the import path, as Lambda does with the function's code folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
