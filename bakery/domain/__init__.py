"""Pure business rules: no Flask, no database. Money is always integer pence."""
