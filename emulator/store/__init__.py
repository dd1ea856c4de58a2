"""State in a relational database: SQLite (file or memory) or PostgreSQL."""
