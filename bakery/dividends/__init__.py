"""Dividends (admin): financial periods, surplus allocation, approval, statements and payouts."""
