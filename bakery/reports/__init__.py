"""The reports blueprint: the manager's dashboard, the VAT report and the accountant's sales lines."""
