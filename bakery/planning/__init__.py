"""The weekly rota (managers): planning shifts by person and by role, publishing, and the A4 print."""
