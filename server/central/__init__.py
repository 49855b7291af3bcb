"""`antre central`: central reporting on PostgreSQL (issue 21). docs/central.md tells the story;
docs/architecture.md lists the modules."""
