"""Persistence: SQLModel tables and the adapters that stand for the city's own systems.

Activities and the API use the adapters in `store.registry`, `store.staff`, `store.bookings` and
`store.archive`; a city plugs its document-management system in by implementing the same methods.
"""
