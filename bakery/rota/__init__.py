"""Rota and hours (managers): who is in, weekly timesheets, corrections, approval, payroll CSV."""
