"""Plain data models and the city's rules. No I/O here: workflows import this package."""
