"""Mystery Shopper: the engine that runs customer journeys and records what it saw."""
__version__ = "0.1.0"
